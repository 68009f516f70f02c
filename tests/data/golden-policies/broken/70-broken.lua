-- 70-broken.lua - a site rule with a bug, for the golden error case
-- (tests/data/golden/error-broken-policy): its check indexes a field the
-- descriptor view does not have, so evaluation fails and the verdict must
-- be "error" (exit 2), never a silent pass.

rule{
  id = "site.same-serials",
  description = "deliberately broken: reads mdev.serials, which does not exist",
  check = function(src, tgt)
    if #src.mdev.serials ~= #tgt.mdev.serials then
      warn("card serials differ")
    end
  end,
}
