-- 50-mdev.lua - the mdev's identity and readiness, its guest's migratability.
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
           { evidence = { source = src.mdev.uuid, target = tgt.mdev.uuid },
             remedy = { text = ("libvirt opens mdev %s on target host %s: define the target's mdev " ..
                                "(%s) under that UUID with the same attributes, or have the migration " ..
                                "rewrite the domain XML's hostdev to %s"):format(
                                src.mdev.uuid, tgt.host, tgt.mdev.uuid, tgt.mdev.uuid) } })
    end
  end,
}

-- The kernel resumes into a started mdev only; a defined one has no sysfs
-- device, and libvirt fails with "mediated device not found" (§7.3).
rule{
  id = "mdev.state",
  description = "the target mdev is started, not only defined",
  check = function(src, tgt)
    if tgt.mdev.state == "defined" then
      warn(("target mdev is defined but not started; start it before migrating (mdevctl start -u %s)")
           :format(tgt.mdev.uuid), { evidence = { host = tgt.host, state = "defined" },
           remedy = { text = ("start mdev %s on target host %s before migrating"):format(
                              tgt.mdev.uuid, tgt.host),
                      commands = { { on = "target",
                                     command = "mdevctl start --uuid " .. tgt.mdev.uuid } } } })
    end
  end,
}

-- Secure Execution guests cannot be migrated: the kernel's
-- ap_is_se_guest() check and QEMU's s390_machine_protect() ("protected VMs
-- are currently not migratable") refuse them (DOMAIN.md §7.5a).
rule{
  id = "guest.secure-execution",
  description = "the guest is not a Secure Execution (protected) guest",
  check = function(src, tgt)
    if src.guest and src.guest.secure_execution == true then
      reject("the guest is a Secure Execution (protected) guest: protected guests are not migratable",
             { evidence = { host = src.host },
               remedy = { text = "no change on either host helps a live migration: shut the guest " ..
                                 "down and start it on the target host instead" } })
    end
  end,
}
