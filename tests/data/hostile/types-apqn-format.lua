-- expect: bad argument #1 to 'format' (number expected, got string)
rule{ id = "h.t", check = function() apqn.format("x", 4) end }
