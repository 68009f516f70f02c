-- expect: bad argument #1 to 'card' (number expected, got table)
rule{ id = "h.t", check = function(src) src:card({}) end }
