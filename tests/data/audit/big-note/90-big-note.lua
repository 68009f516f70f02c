-- A policy whose findings are far larger than a decision record may hold
-- (tests/e2e/audit-bounds.sh): the record is cut, the verdict is not.
rule{ id = "big.note", description = "long notes",
  check = function()
    local big = string.rep("x", 100000)
    note(big, { evidence = { blob = big } })
    note("short one")
  end }
