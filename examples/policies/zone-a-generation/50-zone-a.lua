-- 50-zone-a.lua - zone A runs CEX7 or newer cards only.
--
-- Hosts of zone A carry `zone: a` in the params of apgate.yaml; elsewhere
-- the rule has nothing to say.  zone_a_min_generation (default 7) raises
-- the bar when the zone's hardware is refreshed.
-- Owner: crypto-security@example.com.  Reviewed: CHG-2026-1142.

local DEFAULT_MIN_GENERATION = 7

rule{
  id = "site.zone-a.min-generation",
  description = "in zone A, every target card is CEX7 or newer",
  check = function(src, tgt, ctx)
    if ctx.params.zone ~= "a" then
      return
    end
    local min = math.tointeger(ctx.params.zone_a_min_generation) or DEFAULT_MIN_GENERATION
    for _, q in ipairs(tgt:apqns()) do
      local card = tgt:card(q)
      local gen = tgt:generation(q)
      if card == nil then
        -- apqn.available rejects a missing card; nothing to add.
      elseif gen == nil then
        -- Unknown is not "new enough": the zone's promise is about every card.
        warn(("card generation unknown; zone A requires CEX%d or newer"):format(min),
             { apqn = q, evidence = { host = tgt.host, type = card.type } })
      elseif gen < min then
        reject(("CEX%d card in zone A, which requires CEX%d or newer"):format(gen, min),
               { apqn = q, evidence = { host = tgt.host, type = card.type,
                                        generation = gen, minimum = min },
                 remedy = { text = ("no change on %s helps: migrate to a zone A host whose card for " ..
                                    "%s is a CEX%d or newer"):format(tgt.host, q, min) } })
      end
    end
  end,
}
