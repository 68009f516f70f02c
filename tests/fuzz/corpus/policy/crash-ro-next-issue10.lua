rule{ id = "x.a", check = function()
  local f = pairs(string)
  f(0x414141414140, nil)
end }
