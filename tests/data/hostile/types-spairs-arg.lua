-- expect: bad argument #1 to 'spairs' (table expected, got string)
rule{ id = "h.t", check = function() spairs("abc") end }
