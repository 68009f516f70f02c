-- expect: note(): 'apqn' must be an APQN string
rule{ id = "h.t", check = function() note("m", { apqn = 5 }) end }
