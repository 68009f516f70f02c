-- expect: bad argument #1 to 'f' (read-only table expected, got table)
rule{ id = "h.t", check = function() local f = pairs(table) f({ 1, 2 }, nil) end }
