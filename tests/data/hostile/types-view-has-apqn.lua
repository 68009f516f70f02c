-- expect: bad argument #1 to 'has_apqn' (string expected, got no value)
rule{ id = "h.t", check = function(src) src:has_apqn() end }
