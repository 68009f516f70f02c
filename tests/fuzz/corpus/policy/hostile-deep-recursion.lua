-- expect: stack overflow
rule{ id = "h.rec", check = function() local function f(n) return f(n + 1) + 1 end f(1) end }
