-- expect: instruction budget
rule{ id = "h.xpcall", check = function()
  while true do xpcall(function() while true do end end, function(e) return e end) end
end }
