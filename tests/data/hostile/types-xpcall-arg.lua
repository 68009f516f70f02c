-- expect: bad argument #2 to 'xpcall' (function expected, got number)
rule{ id = "h.t", check = function() xpcall(print, 42) end }
