-- expect: bad argument #2 to 'warn' (table expected, got number)
rule{ id = "h.t", check = function() warn("m", 42) end }
