-- lint-remedy.lua - which reject() calls lint finds without a remedy
-- (tests/e2e/policytools.sh): only line 6.
local function opts(q) return { apqn = q, remedy = { text = "assign it" } } end
rule{ id = "site.remedies", description = "remedies", check = function(src, tgt)
  -- no remedy: warned
  reject("no remedy here", { apqn = "05.0004" })
  -- written in the call, past nested parentheses: fine
  reject(("x%d"):format(1), { evidence = { a = (1) }, remedy = { text = "ok" } })
  -- built elsewhere, seen passing one on a sample input: fine
  for _, q in ipairs(src:apqns()) do reject("via a variable", opts(q)) end
  -- only rejects must say what to do
  warn("a warn without a remedy")
end }
