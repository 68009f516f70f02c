-- 60-mkvp-registry.lua - master keys must be the ones of the last key
-- ceremony.
--
-- mkvp.match checks that source and target agree.  This rule checks that
-- what the target holds is what the crypto officers registered: a domain
-- loaded with some other key (a test key, a key from a ceremony that was
-- rolled back) fails even when both hosts agree on it.  The registry comes
-- from the ceremony's protocol, as params in apgate.yaml:
--
--   params:
--     mkvp_registry:
--       aes: ["0x8f3a6c21d07be419", "0x4e7b2d90a1c3f586"]
--       asym: ["0x5b0e7d13c9a24f8e61d3a7c05e9b2f14"]
--       wk: ["0xdb3c3b3c3f097dd55ec7eb0e7fdbcb93"]   -- EP11: first 32 digits
--
-- A key type missing from the registry is not checked.  No registry at all
-- is a configuration mistake on a host that installed this rule: reject.

local KEY_TYPES = { "aes", "apka", "asym", "wk" }

local function registered(list, kt, mkvp)
  for _, want in ipairs(list) do
    if type(want) == "string" then
      if kt == "wk" then
        if mkvp:sub(1, 34) == want:sub(1, 34) then return true end
      elseif mkvp == want then
        return true
      end
    end
  end
  return false
end

rule{
  id = "site.mkvp-registry",
  description = "the target's current master keys are those registered at the last key ceremony",
  check = function(src, tgt, ctx)
    local registry = ctx.params.mkvp_registry
    if type(registry) ~= "table" then
      reject("no mkvp_registry in the site parameters; cannot check master keys against the ceremony",
             { remedy = { text = "set the site parameter mkvp_registry to the MKVPs of the last key ceremony" } })
      return
    end
    for _, q in ipairs(tgt:apqns()) do
      local queue = tgt:queue(q)
      local mk = queue and queue.mkvps
      for _, kt in ipairs(KEY_TYPES) do
        local list = registry[kt]
        local cur = mk and mk[kt] and mk[kt].cur
        if list and cur and cur.state == "valid" and not registered(list, kt, cur.mkvp) then
          reject(("current %s master key %s is not in the key ceremony registry"):format(kt:upper(), cur.mkvp),
                 { apqn = q, evidence = { key_type = kt, mkvp = cur.mkvp, host = tgt.host },
                   remedy = { text = ("have the key officers confirm the %s master key %s of %s on %s " ..
                                      "and register it in mkvp_registry, or load the registered key")
                                     :format(kt:upper(), cur.mkvp, q, tgt.host) } })
        end
      end
    end
  end,
}
