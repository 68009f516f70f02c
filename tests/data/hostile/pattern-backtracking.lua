-- expect: exceeded its time limit of 500 ms inside a library call; stopped (limits.timeout_ms, --time-limit)
-- Exponential backtracking runs inside the C pattern matcher, where no
-- instruction hook fires: only the wall-clock backstop stops it.
rule{ id = "h.regex", check = function()
  string.find(string.rep("a", 40), string.rep("a?", 40) .. string.rep("a", 40) .. "b")
end }
