-- expect: instruction budget
rule{ id = "h.pcall", check = function()
  for i = 1, math.huge do pcall(function() while true do end end) end
end }
