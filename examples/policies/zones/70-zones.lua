-- 70-zones.lua - guests stay in their zone and with their tenant, decided
-- with both hosts' labels (apgate.yaml `labels:`, seen as src.labels and
-- tgt.labels).
--
--   labels: {zone: a, tenant: acme}      # on every host
--   params:                              # on targets, optional
--     zone_of_host:                      # what this host trusts
--       lpar-a.example.com: a
--       lpar-c.example.com: b
--
-- tgt.labels come from the target's own configuration when the hook
-- decides.  src.labels are what the source host wrote into the guest's
-- metadata: its claim.  Where the target's configuration names the source
-- host in zone_of_host, the claim must agree with it; a host without a
-- zone label is in no zone and nothing moves to or from it (fail closed).
-- Owner: crypto-security@example.com.

local function zone_of(view)
  return view.labels.zone
end

rule{
  id = "site.zone.same",
  description = "guests never migrate across zones (zone labels of both hosts)",
  check = function(src, tgt, ctx)
    local sz, tz = zone_of(src), zone_of(tgt)
    local ev = { source_host = src.host, target_host = tgt.host,
                 source_zone = sz, target_zone = tz }
    if sz == nil or tz == nil then
      local h = sz == nil and src.host or tgt.host
      reject(("host %s has no zone label (labels: {zone: ...} in its apgate.yaml)"):format(h),
             { evidence = ev, remedy = { text = ("give host %s its zone in apgate.yaml (labels: {zone: ...})%s")
                 :format(h, sz == nil and " and export the guest's descriptor again" or "") } })
      return
    end
    local map = ctx.params.zone_of_host
    local known = type(map) == "table" and map[src.host] or nil
    if known ~= nil and known ~= sz then
      ev.configured_zone = known
      reject(("source host %s claims zone %s, this host's zone_of_host puts it in zone %s")
             :format(src.host, sz, tostring(known)),
             { evidence = ev, remedy = { text = ("find out which is wrong: the labels of %s or zone_of_host in this host's apgate.yaml")
                 :format(src.host) } })
    elseif sz ~= tz then
      reject(("guest would move from zone %s to zone %s"):format(sz, tz),
             { evidence = ev, remedy = { text = ("migrate to a host of zone %s"):format(sz) } })
    end
  end,
}

rule{
  id = "site.tenant.dedicated",
  description = "a tenant's guests move only onto that tenant's hosts, and only they do",
  check = function(src, tgt)
    local st, tt = src.labels.tenant, tgt.labels.tenant
    if st == tt then
      return
    end
    local ev = { source_host = src.host, target_host = tgt.host,
                 source_tenant = st, target_tenant = tt }
    if st ~= nil then
      reject(("guest of tenant %s would move to %s"):format(st,
             tt and ("a host of tenant " .. tt) or "a shared host"),
             { evidence = ev, remedy = { text = ("migrate to a host of tenant %s"):format(st) } })
    else
      reject(("guest from a shared host would move to a host dedicated to tenant %s")
             :format(tt), { evidence = ev, remedy = { text = "migrate to a shared host (no tenant label)" } })
    end
  end,
}
