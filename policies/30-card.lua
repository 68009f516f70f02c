-- 30-card.lua - the cards behind the guest's APQNs must be compatible.
--
-- The vfio-ap resume check (queue_hardware_info_is_compatible(), DOMAIN.md
-- §7.5a) compares, per queue, the TAPQ facility word: APSC, MEX4K, CRT4K,
-- the mode bits, APXA and SLCF must be equal, a full-native source needs a
-- full-native target, the SE bind state must be 0 on both sides, and the
-- target's AP type must be the same or newer.  These rules predict that
-- check from the queue and card attributes the descriptors carry.
--
-- Every rule walks the source APQNs that the target also has (apqn.match
-- reports the others) and skips APQNs whose card is absent on the target
-- (apqn.available rejects those).  An absent source card is "unknown".

local F = ap_functions

local MODE_OF_BITS = { [F.CCA] = "cca", [F.EP11] = "ep11", [F.ACCEL] = "accel" }
local MODE_OF_LETTER = { A = "accel", C = "cca", P = "ep11" }

-- APQNs of the source that are on the target too, with a target card.
-- Four rules ask about the same pair: the answer is kept for it.
local common_src, common_tgt, common_out
local function common(src, tgt)
  if rawequal(src, common_src) and rawequal(tgt, common_tgt) then return common_out end
  local out = {}
  for _, q in ipairs(src:apqns()) do
    if tgt:has_apqn(q) and tgt:card(q) then out[#out + 1] = q end
  end
  common_src, common_tgt, common_out = src, tgt, out
  return out
end

local function unknown_on(s, t)
  return s == nil and (t == nil and "source and target" or "source") or "target"
end

-- Mode as described, else from the mode bits of ap_functions, else from the
-- type letter (CEX8C, CEX7P, CEX6A).
local function card_mode(v, q)
  local c = v:card(q)
  if not c then return nil end
  if c.mode then return c.mode end
  local f = v:functions(q)
  if f and MODE_OF_BITS[f & F.MODE_MASK] then return MODE_OF_BITS[f & F.MODE_MASK] end
  local letter = c.type and c.type:match("^CEX%d+([ACP])$")
  return letter and MODE_OF_LETTER[letter]
end

-- Remedies of differences no command on either host can change: the
-- guest needs another target (apgate place names hosts that fit).
local function elsewhere(tgt, q, need)
  return { text = ("no change on target host %s helps: migrate to a host whose card for %s %s")
                  :format(tgt.host, q, need) }
end

-- Remedies of facts a descriptor did not record.
local function recollect(side, what)
  return { text = ("collect the %s descriptor again (apgate collect) with %s readable, so that " ..
                   "apgate can compare it"):format(side, what) }
end

local function param_false(ctx, name)
  local v = ctx.params and ctx.params[name]
  return v == false or v == "false" or v == 0 or v == "0" or v == "no" or v == "off"
end

rule{
  id = "card.mode",
  description = "each APQN's card runs in the same mode (CCA, EP11, accelerator) on both hosts",
  check = function(src, tgt)
    for _, q in ipairs(common(src, tgt)) do
      local sm, tm = card_mode(src, q), card_mode(tgt, q)
      local ev = { source = sm, target = tm }
      if not sm or not tm then
        warn("card mode unknown on " .. unknown_on(sm, tm),
             { apqn = q, evidence = ev,
               remedy = recollect(unknown_on(sm, tm), "the card's mode (card online)") })
      elseif sm ~= tm then
        -- Keys and requests of one mode mean nothing to another: the
        -- kernel refuses a mode change on resume.
        reject(("card mode %s on source, %s on target"):format(sm, tm),
               { apqn = q, evidence = ev,
                 remedy = elsewhere(tgt, q, ("runs in %s mode (a card's mode is its firmware " ..
                                             "load, not a host setting)"):format(sm)) })
      end
    end
  end,
}

-- The generation (AP type) on one basis for both sides: raw_hwtype when
-- both have it, else hwtype when both have it, else the type string.  One
-- side's raw type against the other's compatible type would compare a CEX9
-- running as CEX8 with a real CEX8 as "newer" (DOMAIN.md §4.1).
local function type_digits(c)
  local d = c.type and c.type:match("^CEX(%d+)")
  return d and tonumber(d)
end

local function generations(sc, tc)
  if not sc or not tc then return nil, nil, nil end
  if sc.raw_hwtype and tc.raw_hwtype then
    return sc.raw_hwtype - 6, tc.raw_hwtype - 6, "raw_hwtype"
  elseif sc.hwtype and tc.hwtype then
    return sc.hwtype - 6, tc.hwtype - 6, "hwtype"
  end
  local sd, td = type_digits(sc), type_digits(tc)
  if sd and td then return sd, td, "type" end
  return nil, nil, nil
end

local function any_generation(c)
  return c and (c.raw_hwtype or c.hwtype or type_digits(c)) ~= nil
end

rule{
  id = "card.generation",
  description = "each APQN's target card is of the same or a newer generation than the source card",
  check = function(src, tgt, ctx)
    for _, q in ipairs(common(src, tgt)) do
      local sc, tc = src:card(q), tgt:card(q)
      local sg, tg, basis = generations(sc, tc)
      local ev = (sg == nil or sg ~= tg) and { source = sg, target = tg, basis = basis,
                   source_type = sc and sc.type, target_type = tc.type,
                   source_raw_hwtype = sc and sc.raw_hwtype, target_raw_hwtype = tc.raw_hwtype,
                   source_hwtype = sc and sc.hwtype, target_hwtype = tc.hwtype }
      local sk, tk = any_generation(sc), any_generation(tc)
      if not sk or not tk then
        warn("card generation unknown on " .. unknown_on(sk or nil, tk or nil),
             { apqn = q, evidence = ev,
               remedy = recollect(unknown_on(sk or nil, tk or nil), "the card's raw_hwtype") })
      elseif not basis then
        warn("card generations cannot be compared on one basis (raw_hwtype, hwtype or type on both sides)",
             { apqn = q, evidence = ev,
               remedy = recollect("source and target", "raw_hwtype on both sides") })
      elseif tg < sg then
        -- The kernel accepts CEX7 -> CEX8, never the reverse: an older card
        -- may lack functions the guest already uses.
        reject(("target card CEX%d is older than source card CEX%d"):format(tg, sg),
               { apqn = q, evidence = ev,
                 remedy = elsewhere(tgt, q, ("is a CEX%d or newer"):format(sg)) })
      elseif tg > sg then
        if param_false(ctx, "allow_generation_upgrade") then
          ev.allow_generation_upgrade = false
          reject(("target card CEX%d is newer than source card CEX%d and upgrades are not allowed")
                 :format(tg, sg), { apqn = q, evidence = ev,
                   remedy = elsewhere(tgt, q, ("is a CEX%d (or allow upgrades: site parameter " ..
                                               "allow_generation_upgrade)"):format(sg)) })
        else
          note(("target card CEX%d is newer than source card CEX%d"):format(tg, sg),
               { apqn = q, evidence = ev })
        end
      end
    end
  end,
}

local function has(w, bits) return w & bits ~= 0 end

-- The facility bits the kernel's queue_hardware_info_is_compatible()
-- requires to be equal (DOMAIN.md §7.5a), in bit order.
local FACILITIES = { "APSC", "MEX4K", "CRT4K", "CCA", "ACCEL", "EP11", "APXA", "SLCF" }
local BS_NAME = { [1] = "bound", [2] = "unbound", [3] = "illicit" }

local function hex(w) return w and ("0x%08X"):format(w) end

rule{
  id = "card.capabilities",
  description = "each APQN's facility bits (queue ap_functions, else the card's) are those the kernel's migration check accepts",
  check = function(src, tgt)
    for _, q in ipairs(common(src, tgt)) do
      -- The queue's own word where both sides have it: it is what the
      -- kernel compares, unmasked, with the SE bind state.
      local sf, tf = src:queue_functions(q), tgt:queue_functions(q)
      local basis = "queue"
      if not sf or not tf then
        sf, tf, basis = src:functions(q), tgt:functions(q), "card"
      end
      local function ev(extra)
        local e = { basis = basis, source = hex(sf), target = hex(tf) }
        for k, v in pairs(extra or {}) do e[k] = v end
        return e
      end
      local function values()   -- only for a message
        return ("(source %s, target %s)"):format(hex(sf) or "unknown", hex(tf) or "unknown")
      end
      if not sf or not tf then
        warn("ap_functions unknown on " .. unknown_on(sf, tf),
             { apqn = q, evidence = ev(), remedy = recollect(unknown_on(sf, tf), "ap_functions") })
      else
        for _, name in ipairs(FACILITIES) do
          local sh, th = has(sf, F[name]), has(tf, F[name])
          if sh ~= th then
            local where = sh and "missing on target" or "only on target"
            local sg, tg = generations(src:card(q), tgt:card(q))
            if name == "SLCF" and basis == "card" and sg and sg == tg then
              -- Some kernels masked SLCF out of card ap_functions and
              -- others restored it (DOMAIN.md §4.2): between equal
              -- generations a card-only difference may be that artifact.
              warn(("SLCF %s in card ap_functions %s; kernels differ in showing it on cards: " ..
                    "collect the queues' ap_functions to decide"):format(where, values()),
                   { apqn = q, evidence = ev{ bit = name },
                     remedy = recollect("source and target", "the queues' ap_functions (a kernel " ..
                                        "that shows queue ap_functions)") })
            else
              reject(("%s %s %s: the kernel requires equal facility bits"):format(name, where, values()),
                     { apqn = q, evidence = ev{ bit = name },
                       remedy = elsewhere(tgt, q, ("has the same facility bits (%s %s)")
                                                  :format(name, sh and "set" or "clear")) })
            end
          end
        end
        -- Class: only the full-native bit counts (classes_compatible()).
        if has(sf, F.FULL) and not has(tf, F.FULL) then
          reject(("full native function set on source, not on target %s"):format(values()),
                 { apqn = q, evidence = ev{ bit = "FULL" },
                   remedy = elsewhere(tgt, q, "has the full native function set") })
        end
        -- Secure Execution bind state: 0 (usable) on both sides.
        for _, s in ipairs{ { "source", sf }, { "target", tf } } do
          local bs = (s[2] & F.BS_MASK) >> 14
          if bs ~= 0 then
            reject(("SE bind state %d (%s) on %s %s: the kernel requires 0 on both")
                   :format(bs, BS_NAME[bs], s[1], values()),
                   { apqn = q, evidence = ev{ bit = "BS", side = s[1] },
                     remedy = { text = ("the %s queue %s is in a Secure Execution bind state: no " ..
                                        "change on this host helps a live migration (protected " ..
                                        "guests are not migratable)"):format(s[1], q) } })
          end
        end
      end
    end
  end,
}

-- EP11 compliance modes are fixed per domain: a key created under a mode
-- the target domain does not run in is refused there.  API ordinals only
-- grow; a lower one may lack functions the guest uses (zkey wants >= 4).
local function op_set(list)
  local s = {}
  for _, m in ipairs(list or {}) do s[m] = true end
  return s
end

rule{
  id = "ep11.properties",
  description = "each EP11 APQN's target runs every compliance mode of the source and no older EP11 API",
  check = function(src, tgt)
    for _, q in ipairs(common(src, tgt)) do
      if card_mode(src, q) == "ep11" and card_mode(tgt, q) == "ep11" then
        local sc, tc = src:card(q), tgt:card(q)
        local sq, tq = src:queue(q), tgt:queue(q)
        local se, te = sc.ep11 or {}, tc.ep11 or {}
        local pairs_to_check = {
          { "domain", sq and sq.op_modes, tq and tq.op_modes },
          { "card", se.op_modes, te.op_modes },
        }
        for _, p in ipairs(pairs_to_check) do
          local what, s, t = p[1], p[2], p[3]
          if s and not t then
            warn(("EP11 %s op modes unknown on target"):format(what),
                 { apqn = q, evidence = { source = s },
                   remedy = recollect("target", ("the EP11 %s op_modes (queue online)"):format(what)) })
          elseif s and t then
            local ts = op_set(t)
            for _, m in ipairs(s) do
              if not ts[m] then
                reject(("EP11 %s op mode %s on source, not on target"):format(what, m),
                       { apqn = q, evidence = { mode = m, source = s, target = t },
                         remedy = elsewhere(tgt, q, ("runs EP11 compliance mode %s (setting it " ..
                                                     "from a TKE zeroizes the domain: a key " ..
                                                     "ceremony)"):format(m)) })
              end
            end
          end
        end
        if se.api_ordinal and te.api_ordinal and te.api_ordinal < se.api_ordinal then
          warn(("EP11 API ordinal %d on target is lower than %d on source")
               :format(te.api_ordinal, se.api_ordinal),
               { apqn = q, evidence = { source = se.api_ordinal, target = te.api_ordinal },
                 remedy = { text = ("update the EP11 firmware of target host %s's card for %s to " ..
                                    "API ordinal %d or later, or migrate to a host whose card has it")
                                   :format(tgt.host, q, se.api_ordinal) } })
        end
      end
    end
  end,
}
