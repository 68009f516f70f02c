-- expect: bad argument #1 to 'f' (read-only table expected, got string)
rule{ id = "h.t", check = function() local f = pairs(math) f("AAAAAAAA", nil) end }
