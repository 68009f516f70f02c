-- 20-control-domains.lua - the guest administers the same control domains.
--
-- From v4 of the vfio-ap migration series the target kernel refuses resume
-- when a source control domain is not in the target host's configuration
-- ("Control domain %04lx not available on the destination host", DOMAIN.md
-- §7.5).  A control domain gained on the target silently widens what the
-- guest may administer (e.g. load master keys from a TKE): reject that too.

rule{
  id = "control-domains.match",
  description = "the target mdev has exactly the control domains of the source mdev",
  check = function(src, tgt)
    local side = {}
    for _, d in ipairs(src.mdev.control_domains) do side[d] = "source" end
    for _, d in ipairs(tgt.mdev.control_domains) do
      side[d] = side[d] == "source" and "both" or "target"
    end
    for d, where in spairs(side) do
      if where ~= "both" then
        local other = where == "source" and "target" or "source"
        reject(("control domain %04x assigned on %s only"):format(d, where), {
          evidence = { domain = ("%04x"):format(d), [where] = true, [other] = false } })
      end
    end
  end,
}
