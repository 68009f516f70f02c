-- expect: evidence nested deeper
rule{ id = "h.ev", check = function()
  local t = {} local c = t for i = 1, 100 do c.x = {} c = c.x end
  reject("x", { evidence = t })
end }
