-- expect: bad argument #1 to 'apqns' (not the descriptor view this method belongs to
rule{ id = "h.t", check = function(src, tgt) src.apqns(tgt) end }
