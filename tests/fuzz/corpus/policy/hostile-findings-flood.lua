-- expect: findings from one rule
rule{ id = "h.flood", check = function() for i = 1, 1e6 do note("n") end end }
