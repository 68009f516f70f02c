-- expect: instruction budget
rule{ id = "h.loop", check = function() while true do end end }
