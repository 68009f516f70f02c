-- expect: note(): evidence would exceed the output limit (limits.output_mb in apgate.yaml)
-- One string of 1 MiB referenced 3000 times: 3 GB once copied.
rule{ id = "h.ev", check = function()
  local big, ev = string.rep("x", 1 << 20), {}
  for i = 1, 3000 do ev[i] = big end
  note("m", { evidence = ev })
end }
