-- expect: invalid key to 'next'
rule{ id = "h.t", check = function(src) local f = pairs(src) f(src, {}) end }
