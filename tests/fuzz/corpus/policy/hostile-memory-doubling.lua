-- expect: memory limit
rule{ id = "h.mem", check = function() local s = "x" while true do s = s .. s end end }
