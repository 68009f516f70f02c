-- 10-apqn.lua - the guest's APQNs must exist, identically, on the target.
--
-- On resume the vfio-ap migration series (DOMAIN.md §7.5) requires the same
-- number of APQNs on both sides and every source APQN assigned on the target,
-- present and bound to vfio_ap ("Queue %02lx.%04lx not available to vfio_ap
-- driver on target host").  A failure there shows only after QEMU started on
-- the target, so apgate says it first.

local function set_of(list)
  local s = {}
  for _, x in ipairs(list) do s[x] = true end
  return s
end

local function has(list, x)
  for _, y in ipairs(list) do if y == x then return true end end
  return false
end

local function concat(a, b)
  for _, c in ipairs(b) do a[#a + 1] = c end
  return a
end

-- Remedies add to or remove from the target mdev whatever of the APQN's
-- adapter and usage domain it lacks or has too many of (an mdev's APQNs are
-- its adapters x its domains); started mdevs also get the sysfs write.
local function add_remedy(tgt, q)
  local a, d = apqn.parse(q)
  local what, cmds = {}, {}
  if not has(tgt.mdev.adapters, a) then
    what[#what + 1] = ("adapter 0x%02x"):format(a)
    concat(cmds, fix.mdev_attr("target", tgt.mdev, "assign_adapter", a))
  end
  if not has(tgt.mdev.domains, d) then
    what[#what + 1] = ("usage domain 0x%04x"):format(d)
    concat(cmds, fix.mdev_attr("target", tgt.mdev, "assign_domain", d))
  end
  if #what == 0 then what[1] = q end
  return { text = ("assign %s to mdev %s on target host %s (its definition, and the running " ..
                   "device when started), once %s is bound to vfio_ap there")
                  :format(table.concat(what, " and "), tgt.mdev.uuid, tgt.host, q),
           commands = cmds }
end

local function remove_remedy(src, tgt, q)
  local a, d = apqn.parse(q)
  local attr, id, what
  if not has(src.mdev.adapters, a) then
    attr, id, what = "adapter", a, ("adapter 0x%02x"):format(a)
  else
    attr, id, what = "domain", d, ("usage domain 0x%04x"):format(d)
  end
  return { text = ("remove %s from mdev %s on target host %s: from the running device with " ..
                   "unassign_%s, and from its definition with `mdevctl modify --uuid %s --delattr " ..
                   "--index N` (N: the position of its assign_%s entry in `mdevctl list -d -u %s " ..
                   "--dumpjson`)"):format(what, tgt.mdev.uuid, tgt.host, attr, tgt.mdev.uuid,
                                           attr, tgt.mdev.uuid),
           commands = fix.mdev_attr("target", tgt.mdev, "unassign_" .. attr, id) }
end

rule{
  id = "apqn.match",
  description = "the target mdev has exactly the APQNs of the source mdev",
  check = function(src, tgt)
    local sa, ta = src:apqns(), tgt:apqns()
    local ss, ts = set_of(sa), set_of(ta)
    local counts = { source_apqns = #sa, target_apqns = #ta }
    for _, q in ipairs(sa) do
      if not ts[q] then
        reject("assigned on source, missing on target",
               { apqn = q, evidence = counts, remedy = add_remedy(tgt, q) })
      end
    end
    for _, q in ipairs(ta) do
      if not ss[q] then
        reject("assigned on target only",
               { apqn = q, evidence = counts, remedy = remove_remedy(src, tgt, q) })
      end
    end
  end,
}

-- Why a state is worth a warning and not a reject: vfio_ap filters an
-- unusable adapter out of guest_matrix and hot-plugs it back when it returns
-- (DOMAIN.md §7.6): it is "not currently available", which is transient.
local function unusable(card, queue)
  local why = {}
  local function check(obj, what)
    if obj.config == false then why[#why + 1] = what .. " deconfigured" end
    if obj.chkstop == true then why[#why + 1] = what .. " checkstopped" end
    if obj.online == false then why[#why + 1] = what .. " offline" end
  end
  check(card, "card")
  check(queue, "queue")
  return why
end

-- chzcrypt configures a card (with its queues) in the LPAR and sets cards
-- and queues online; a checkstop needs hardware service.
local function usable_remedy(tgt, q, card, queue)
  local a = apqn.parse(q)
  local cmds, steps = {}, {}
  local cid = ("%02x"):format(a)
  if card.config == false or queue.config == false then
    steps[#steps + 1] = "configure card " .. cid
    cmds[#cmds + 1] = { on = "target", command = "chzcrypt --config-on " .. cid }
  end
  if card.online == false then
    steps[#steps + 1] = "set card " .. cid .. " online"
    cmds[#cmds + 1] = { on = "target", command = "chzcrypt -e " .. cid }
  end
  if queue.online == false then
    steps[#steps + 1] = "set queue " .. q .. " online"
    cmds[#cmds + 1] = { on = "target", command = "chzcrypt -e " .. q }
  end
  if card.chkstop == true or queue.chkstop == true then
    steps[#steps + 1] = "have the checkstopped card serviced (no command helps)"
  end
  return { text = ("on target host %s, %s"):format(tgt.host, table.concat(steps, ", ")),
           commands = cmds }
end

rule{
  id = "apqn.available",
  description = "every target APQN exists on the target host, is bound to vfio_ap and is usable; every source APQN is in the target LPAR's AP configuration",
  check = function(src, tgt)
    -- The kernel resumes only APQNs the target LPAR is configured for
    -- (DOMAIN.md §7.5a); an adapter or domain outside its masks cannot be
    -- hot-plugged back later either.
    if tgt.lpar then
      local la, ld = {}, {}
      for _, a in ipairs(tgt.lpar.adapters) do la[a] = true end
      for _, d in ipairs(tgt.lpar.usage_domains) do ld[d] = true end
      for _, q in ipairs(src:apqns()) do
        local a, d = apqn.parse(q)
        if not la[a] or not ld[d] then
          local missing = not la[a] and (not ld[d] and "adapter and usage domain" or "adapter")
                          or "usage domain"
          reject(("not in the target LPAR's AP configuration (%s missing)"):format(missing),
                 { apqn = q, evidence = { host = tgt.host, adapter_in_lpar = la[a] == true,
                                          usage_domain_in_lpar = ld[d] == true },
                   remedy = { text = ("add the %s of %s to the AP configuration of target host " ..
                                      "%s's LPAR (its activation profile on the HMC/SE; no " ..
                                      "command on the host can), or migrate to a host whose " ..
                                      "LPAR has it"):format(missing, q, tgt.host) } })
        end
      end
    else
      note("target LPAR's AP configuration unknown: source APQNs not checked against it",
           { evidence = { host = tgt.host } })
    end
    for _, q in ipairs(tgt:apqns()) do
      local card, queue = tgt:card(q), tgt:queue(q)
      if not card or not queue then
        reject("not available at all on target host", { apqn = q, evidence = {
          host = tgt.host, card = card and "present" or "absent",
          queue = queue and "present" or "absent" },
          remedy = { text = ("%s does not exist on target host %s: give its LPAR the adapter and " ..
                             "domain (HMC/SE), or migrate to a host that has them"):format(
                             q, tgt.host) } })
      elseif queue.driver and queue.driver ~= "vfio_ap" then
        -- Only vfio_ap queues can be given to the guest; the resume check
        -- fails for a queue held by cex4queue or unbound.
        local a, d = apqn.parse(q)
        local remedy
        if queue.driver == "none" then
          remedy = { text = ("load the vfio_ap driver on target host %s; if it is loaded, %s is " ..
                             "still in the host's apmask/aqmask: take it out (echo -0x%04x > " ..
                             "/sys/bus/ap/aqmask)"):format(tgt.host, q, d),
                     commands = { { on = "target", command = "modprobe vfio_ap" } } }
        else
          -- A queue is the host drivers' while its adapter is in apmask
          -- and its domain in aqmask (DOMAIN.md §5.3): clearing the domain
          -- frees it; clearing the adapter would too, for all its domains.
          remedy = { text = ("free %s for vfio_ap on target host %s: take usage domain 0x%04x out " ..
                             "of /sys/bus/ap/aqmask (every adapter's queue of that domain leaves " ..
                             "the host drivers; or take adapter 0x%02x out of apmask instead), and " ..
                             "make it persistent (ap.aqmask= or the udev rule chzdev writes)")
                            :format(q, tgt.host, d, a),
                     commands = { { on = "target", command = ("echo -0x%04x > /sys/bus/ap/aqmask"):format(d) } } }
        end
        reject(queue.driver == "none" and "bound to no driver, not vfio_ap"
               or ("bound to %s, not vfio_ap"):format(queue.driver),
               { apqn = q, evidence = { host = tgt.host, driver = queue.driver }, remedy = remedy })
      else
        local why = unusable(card, queue)
        if #why > 0 then
          warn("not usable now (" .. table.concat(why, ", ") ..
               "); vfio_ap hot-plugs it when it returns",
               { apqn = q, evidence = { host = tgt.host, conditions = why },
                 remedy = usable_remedy(tgt, q, card, queue) })
        end
      end
    end
  end,
}

-- The kernel migrates the guest's shadow matrix (guest_matrix), not the
-- assignment, and overwrites the target mdev's assignment with it
-- (vfio_ap_set_new_guest_config(), DOMAIN.md §7.5a): an APQN assigned on
-- the source but filtered out of the guest there is dropped on the target.
rule{
  id = "apqn.guest",
  description = "every APQN assigned on the source is in the guest now (guest_matrix), so the kernel migrates it",
  check = function(src, tgt)
    local g = src.mdev.guest_apqns
    if not g then
      if src.mdev.state == "active" then
        note("source guest_matrix unknown: not checked which APQNs the guest has now",
             { evidence = { host = src.host } })
      end
      return
    end
    local in_guest = set_of(g)
    for _, q in ipairs(src:apqns()) do
      if not in_guest[q] then
        warn("assigned on source but not in the guest now (guest_matrix): the kernel migrates only " ..
             "the guest's APQNs and the target's assignment loses it",
             { apqn = q, evidence = { host = src.host, guest_apqns = #g },
               remedy = { text = ("make %s usable on source host %s (bound to vfio_ap, configured " ..
                                  "and online) so that vfio_ap plugs it back into the guest, then " ..
                                  "check again; or unassign it there if the guest does not need it")
                                 :format(q, src.host) } })
      end
    end
  end,
}

-- A planned mdev (apgate place: the host has no mdev with the guest's UUID
-- yet) would be created with the source's APQNs; vfio_ap refuses to assign
-- an APQN another mdev on the host holds (EADDRINUSE, DOMAIN.md §5.2).  An
-- existing mdev with the guest's UUID already holds its own APQNs.
rule{
  id = "apqn.free",
  description = "on a planned target mdev, every APQN is free on the target host (not assigned to another mdev)",
  check = function(src, tgt)
    if tgt.mdev.state ~= "planned" then return end
    for _, q in ipairs(tgt:apqns()) do
      local queue = tgt:queue(q)
      local holder = queue and queue.assigned_to
      if holder and holder ~= tgt.mdev.uuid then
        -- No command: freeing it takes it from another guest's mdev.
        reject(("assigned to mdev %s on the target host: the kernel refuses to assign it to a second mdev")
               :format(holder), { apqn = q, evidence = { host = tgt.host, mdev = holder },
               remedy = { text = ("free %s on target host %s (unassign it from mdev %s if that mdev's " ..
                                  "guest can do without it), or place the guest on another host")
                                 :format(q, tgt.host, holder), commands = {} } })
      end
    end
  end,
}
