-- expect: bad argument #1 to 'it' (not the table this spairs iterator walks)
rule{ id = "h.t", check = function() local it = spairs({ a = 1 }) it(0x41414141) end }
