-- expect: bad argument #1 to 'queue' (string expected, got table)
rule{ id = "h.t", check = function(src) src:queue({}) end }
