-- expect: memory limit
rule{ id = "h.memp", check = function()
  local ok = pcall(string.rep, "x", 1 << 30)
  note("survived: " .. tostring(ok))
end }
