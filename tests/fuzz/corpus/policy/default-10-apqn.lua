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

rule{
  id = "apqn.match",
  description = "the target mdev has exactly the APQNs of the source mdev",
  check = function(src, tgt)
    local sa, ta = src:apqns(), tgt:apqns()
    local ss, ts = set_of(sa), set_of(ta)
    local counts = { source_apqns = #sa, target_apqns = #ta }
    for _, q in ipairs(sa) do
      if not ts[q] then
        reject("assigned on source, missing on target", { apqn = q, evidence = counts })
      end
    end
    for _, q in ipairs(ta) do
      if not ss[q] then
        reject("assigned on target only", { apqn = q, evidence = counts })
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

rule{
  id = "apqn.available",
  description = "every target APQN exists on the target host, is bound to vfio_ap and is usable",
  check = function(src, tgt)
    for _, q in ipairs(tgt:apqns()) do
      local card, queue = tgt:card(q), tgt:queue(q)
      if not card or not queue then
        reject("not available at all on target host", { apqn = q, evidence = {
          host = tgt.host, card = card and "present" or "absent",
          queue = queue and "present" or "absent" } })
      elseif queue.driver and queue.driver ~= "vfio_ap" then
        -- Only vfio_ap queues can be given to the guest; the resume check
        -- fails for a queue held by cex4queue or unbound.
        reject(queue.driver == "none" and "bound to no driver, not vfio_ap"
               or ("bound to %s, not vfio_ap"):format(queue.driver),
               { apqn = q, evidence = { host = tgt.host, driver = queue.driver } })
      else
        local why = unusable(card, queue)
        if #why > 0 then
          warn("not usable now (" .. table.concat(why, ", ") ..
               "); vfio_ap hot-plugs it when it returns",
               { apqn = q, evidence = { host = tgt.host, conditions = why } })
        end
      end
    end
  end,
}
