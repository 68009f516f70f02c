-- expect: bad argument #1 to 'functions' (not an APQN like
rule{ id = "h.t", check = function(src) src:functions("\255") end }
