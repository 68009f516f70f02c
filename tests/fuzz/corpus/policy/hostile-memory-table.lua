-- expect: memory limit
rule{ id = "h.memt", check = function() local t = {} for i = 1, math.huge do t[i] = {i, i, i} end end }
