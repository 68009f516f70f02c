-- expect: exceeded its time limit of 500 ms inside a library call
-- string.rep of the empty string loops in C 2^62 times: no hook fires.
rule{ id = "h.rep", check = function() string.rep("", 1 << 62) end }
