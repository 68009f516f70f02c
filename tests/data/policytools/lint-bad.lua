-- lint-bad.lua - one of each lint finding (tests/e2e/policytools.sh).
counter = 0
rule{
  id = "site.a",
  check = function(src, tgt, ctx)
    if tgt.host == nil then reject("x") end
    for _, q in ipairs(tgt:apqns()) do
      if not tgt:card(q) then warnn("no card", { apqn = q }) end
      if strng.len(q) > 0 then note("ok") end
    end
  end,
}
rule{ id = "site.a", description = "again", check = function() end }
rule{ id = "site.quiet", description = "only notes", check = function(s, t) note("hi") end }
local function helper(q) reject("helper rejects", { apqn = q }) end
rule{ id = "site.helper", description = "helper", check = function(s, t)
  for _, q in ipairs(t:apqns()) do helper(q) end end }
disable("mdev.uuid", "we do not care")
