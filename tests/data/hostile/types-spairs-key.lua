-- expect: spairs: cannot order a table key
rule{ id = "h.t", check = function() spairs({ [{}] = 1 }) end }
