-- expect: note: the text policies hand to apgate would exceed the output limit of 16777216 bytes (limits.output_mb in apgate.yaml)
-- 4000 notes of 1 MiB once took 28 s and 10 GB outside the Lua cap.
rule{ id = "h.notes", check = function()
  local big = string.rep("x", 1 << 20)
  for i = 1, 4000 do note(big) end
end }
