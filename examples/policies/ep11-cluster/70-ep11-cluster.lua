-- 70-ep11-cluster.lua - EP11 guests move only within their cluster.
--
-- EP11 domains of one cluster share a wrapping key set by the cluster's
-- own TKE workstation; the hosts of another cluster may hold a key that
-- happens to match today and is changed by another team tomorrow.  The
-- cluster of each host comes from the site parameters:
--
--   params:
--     host_clusters:
--       lpar-a.example.com: plex1
--       lpar-b.example.com: plex1
--       lpar-c.example.com: plex2
--
-- A host missing from the list belongs to no cluster: an EP11 guest may
-- not move to or from it (fail closed).  CCA and accelerator guests are
-- not this rule's business.

local function has_ep11(v)
  for _, q in ipairs(v:apqns()) do
    local card = v:card(q)
    if card and card.mode == "ep11" then return true end
    local f = v:functions(q)
    if f and f & ap_functions.MODE_MASK == ap_functions.EP11 then return true end
  end
  return false
end

rule{
  id = "site.ep11-same-cluster",
  description = "EP11 guests migrate only between hosts of the same cluster",
  check = function(src, tgt, ctx)
    if not has_ep11(src) then
      return
    end
    local clusters = type(ctx.params.host_clusters) == "table" and ctx.params.host_clusters or {}
    local sc, tc = clusters[src.host], clusters[tgt.host]
    local ev = { source_host = src.host, target_host = tgt.host,
                 source_cluster = sc, target_cluster = tc }
    if sc == nil or tc == nil then
      reject(("host %s is in no EP11 cluster (host_clusters)"):format(sc == nil and src.host or tgt.host),
             { evidence = ev, remedy = { text = ("add host %s to the site parameter host_clusters")
                                                :format(sc == nil and src.host or tgt.host) } })
    elseif sc ~= tc then
      reject(("EP11 guest would move from cluster %s to cluster %s"):format(sc, tc),
             { evidence = ev, remedy = { text = ("migrate to a host of EP11 cluster %s"):format(sc) } })
    end
  end,
}
