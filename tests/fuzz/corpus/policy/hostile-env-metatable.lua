-- expect: cannot change a protected metatable
setmetatable(_ENV, { __index = function() return nil end })
