-- expect: rule{}: the text policies hand to apgate would exceed the output limit
-- Rule descriptions are copied out of Lua too.
local d = string.rep("d", 1 << 20)
for i = 1, 100 do rule{ id = "h.d" .. i, description = d, check = function() end } end
