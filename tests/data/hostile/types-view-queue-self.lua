-- expect: bad argument #1 to 'queue' (not the descriptor view
rule{ id = "h.t", check = function(src) src.queue(0x41414141, "05.0004") end }
