-- 20-control-domains.lua - the guest administers the same control domains.
--
-- From v4 of the vfio-ap migration series the target kernel refuses resume
-- when a source control domain is not in the target LPAR's AP configuration
-- (control_domains_available(): "Control domain %04lx not available on the
-- destination host", DOMAIN.md §7.5a); the target mdev's own control
-- domains are not consulted there, but the kernel then overwrites the
-- target mdev's assignment with the source's.  A control domain gained on
-- the target silently widens what the guest may administer (e.g. load
-- master keys from a TKE): reject that too.

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
        local remedy
        if where == "source" then
          remedy = { text = ("assign control domain 0x%04x to mdev %s on target host %s (its " ..
                             "definition, and the running device when started)")
                            :format(d, tgt.mdev.uuid, tgt.host),
                     commands = fix.mdev_attr("target", tgt.mdev, "assign_control_domain", d) }
        else
          remedy = { text = ("remove control domain 0x%04x from mdev %s on target host %s: from " ..
                             "the running device with unassign_control_domain, and from its " ..
                             "definition with `mdevctl modify --uuid %s --delattr --index N` (N: " ..
                             "the position of its assign_control_domain entry in `mdevctl list " ..
                             "-d -u %s --dumpjson`)"):format(d, tgt.mdev.uuid, tgt.host,
                                                              tgt.mdev.uuid, tgt.mdev.uuid),
                     commands = fix.mdev_attr("target", tgt.mdev, "unassign_control_domain", d) }
        end
        reject(("control domain %04x assigned on %s only"):format(d, where), {
          evidence = { domain = ("%04x"):format(d), [where] = true, [other] = false },
          remedy = remedy })
      end
    end
    -- The kernel's own condition, against the target LPAR's masks.
    if not tgt.lpar then
      if #src.mdev.control_domains > 0 then
        note("target LPAR's AP configuration unknown: source control domains not checked against it",
             { evidence = { host = tgt.host } })
      end
      return
    end
    local lpar = {}
    for _, d in ipairs(tgt.lpar.control_domains) do lpar[d] = true end
    for _, d in ipairs(src.mdev.control_domains) do
      if not lpar[d] then
        reject(("control domain %04x not in the target LPAR's AP configuration"):format(d),
               { evidence = { domain = ("%04x"):format(d), host = tgt.host,
                              lpar_control_domains = tgt.lpar.control_domains },
                 remedy = { text = ("add control domain 0x%04x to the AP configuration of target " ..
                                    "host %s's LPAR (its activation profile on the HMC/SE; no " ..
                                    "command on the host can), or migrate to a host whose LPAR " ..
                                    "has it"):format(d, tgt.host) } })
      end
    end
  end,
}
