-- expect: bad argument #1 to 'setmetatable' (table expected, got string)
rule{ id = "h.t", check = function() setmetatable("s", {}) end }
