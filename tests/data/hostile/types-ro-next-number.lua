-- expect: bad argument #1 to 'f' (read-only table expected, got number)
rule{ id = "h.t", check = function() local f = pairs(string) f(0x414141414140, nil) end }
