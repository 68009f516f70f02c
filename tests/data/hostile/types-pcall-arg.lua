-- expect: bad argument #1 to 'pcall' (value expected)
rule{ id = "h.t", check = function() pcall() end }
