-- 50-mdev.lua - the mediated device keeps its identity.
--
-- The kernel routes migration state by virtual path, not by UUID: the same
-- UUID on both hosts is "a requirement of your tooling, not a kernel
-- requirement" (DOMAIN.md §7.6).  libvirt's domain XML names the mdev only
-- by UUID and needs an active /sys/bus/mdev/devices/<uuid> on the target
-- (§7.3), so today a different UUID fails there: warn, sites may reject.

rule{
  id = "mdev.uuid",
  description = "the target mdev has the same UUID as the source mdev",
  check = function(src, tgt)
    if src.mdev.uuid ~= tgt.mdev.uuid then
      warn("mdev UUID differs; libvirt looks the device up by the source UUID",
           { evidence = { source = src.mdev.uuid, target = tgt.mdev.uuid } })
    end
  end,
}
