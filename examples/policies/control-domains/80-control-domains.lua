-- 80-control-domains.lua - guests administer only approved control domains.
--
-- A control domain lets a guest administer that domain (load master keys
-- from a TKE, for one).  control-domains.match keeps the set unchanged
-- across a migration; this rule keeps it inside what the security team
-- approved for this host:
--
--   params:
--     allowed_control_domains: [0x04, 0x47]
--
-- Without the list the rule cannot vouch for anything: warn.

rule{
  id = "site.control-domains-allowed",
  description = "the target mdev's control domains are a subset of allowed_control_domains",
  check = function(src, tgt, ctx)
    local allowed = ctx.params.allowed_control_domains
    if type(allowed) ~= "table" then
      if #tgt.mdev.control_domains > 0 then
        warn("allowed_control_domains is not set; control domains are unchecked")
      end
      return
    end
    local ok = {}
    for _, d in ipairs(allowed) do
      if math.type(d) == "integer" then ok[d] = true end
    end
    for _, d in ipairs(tgt.mdev.control_domains) do
      if not ok[d] then
        reject(("control domain %04x is not in allowed_control_domains"):format(d),
               { evidence = { domain = ("%04x"):format(d), host = tgt.host },
                 remedy = { text = ("take control domain 0x%04x off mdev %s on %s (or add it to " ..
                                    "allowed_control_domains if the guest may administer it)")
                                   :format(d, tgt.mdev.uuid, tgt.host),
                            commands = fix.mdev_attr("target", tgt.mdev, "unassign_control_domain", d) } })
      end
    end
  end,
}
