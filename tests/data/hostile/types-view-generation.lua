-- expect: bad argument #1 to 'generation' (not the descriptor view
rule{ id = "h.t", check = function(src) src.generation("05.0004") end }
