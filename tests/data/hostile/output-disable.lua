-- expect: disable(): the text policies hand to apgate would exceed the output limit
-- disable() reasons are copied out of Lua too.
local d = string.rep("r", 1 << 20)
for i = 1, 100 do
  rule{ id = "h.r" .. i, check = function() end }
  disable("h.r" .. i, d)
end
