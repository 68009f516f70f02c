-- 30-card.lua - the cards behind the guest's APQNs must be compatible.
--
-- The vfio-ap resume check compares, per queue, the TAPQ facility word
-- masked with 0xffffc000ff000000 (mode, APSC, AP4KM, AP4KC, APXA, SLCF,
-- function class) and requires a target AP type that is the same or newer
-- (DOMAIN.md §7.5 item 3).  These rules predict that check from the card
-- attributes the descriptors carry.
--
-- Every rule walks the source APQNs that the target also has (apqn.match
-- reports the others) and skips APQNs whose card is absent on the target
-- (apqn.available rejects those).  An absent source card is "unknown".

local F = ap_functions

local MODE_OF_BITS = { [F.CCA] = "cca", [F.EP11] = "ep11", [F.ACCEL] = "accel" }
local MODE_OF_LETTER = { A = "accel", C = "cca", P = "ep11" }

-- APQNs of the source that are on the target too, with a target card.
local function common(src, tgt)
  local out = {}
  for _, q in ipairs(src:apqns()) do
    if tgt:has_apqn(q) and tgt:card(q) then out[#out + 1] = q end
  end
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
        warn("card mode unknown on " .. unknown_on(sm, tm), { apqn = q, evidence = ev })
      elseif sm ~= tm then
        -- Keys and requests of one mode mean nothing to another: the
        -- kernel refuses a mode change on resume.
        reject(("card mode %s on source, %s on target"):format(sm, tm),
               { apqn = q, evidence = ev })
      end
    end
  end,
}

rule{
  id = "card.generation",
  description = "each APQN's target card is of the same or a newer generation than the source card",
  check = function(src, tgt, ctx)
    for _, q in ipairs(common(src, tgt)) do
      local sg, tg = src:generation(q), tgt:generation(q)
      local sc, tc = src:card(q), tgt:card(q)
      local ev = { source = sg, target = tg, source_type = sc and sc.type, target_type = tc.type }
      if not sg or not tg then
        warn("card generation unknown on " .. unknown_on(sg, tg), { apqn = q, evidence = ev })
      elseif tg < sg then
        -- The kernel accepts CEX7 -> CEX8, never the reverse: an older card
        -- may lack functions the guest already uses.
        reject(("target card CEX%d is older than source card CEX%d"):format(tg, sg),
               { apqn = q, evidence = ev })
      elseif tg > sg then
        if param_false(ctx, "allow_generation_upgrade") then
          ev.allow_generation_upgrade = false
          reject(("target card CEX%d is newer than source card CEX%d and upgrades are not allowed")
                 :format(tg, sg), { apqn = q, evidence = ev })
        else
          note(("target card CEX%d is newer than source card CEX%d"):format(tg, sg),
               { apqn = q, evidence = ev })
        end
      end
    end
  end,
}

local function has(w, bits) return w & bits ~= 0 end

local MODE_NAME = { [F.CCA] = "CCA", [F.EP11] = "EP11", [F.ACCEL] = "accelerator", [0] = "none" }
local function mode_name(w)
  local m = w & F.MODE_MASK
  return MODE_NAME[m] or ("0x%08X"):format(m)
end

-- Facility words are compared as the kernel does; details in DOMAIN.md §4.2.
local function incompatibilities(sf, tf)
  local bad, odd = {}, {}
  for _, name in ipairs{ "APSC", "APXA" } do
    if has(sf, F[name]) ~= has(tf, F[name]) then
      bad[#bad + 1] = name .. (has(sf, F[name]) and " missing on target" or " only on target")
    end
  end
  if sf & F.MODE_MASK ~= tf & F.MODE_MASK then
    bad[#bad + 1] = ("mode %s on source, %s on target"):format(mode_name(sf), mode_name(tf))
  end
  for _, name in ipairs{ "MEX4K", "CRT4K" } do
    if has(sf, F[name]) and not has(tf, F[name]) then
      bad[#bad + 1] = name .. " missing on target"
    elseif has(tf, F[name]) and not has(sf, F[name]) then
      -- Harmless for the guest, but the 2026 series compares AP4KM and
      -- AP4KC for equality: worth a look before relying on it.
      odd[#odd + 1] = name .. " only on target"
    end
  end
  -- Class: full native needs full native; restricted (stateless) accepts
  -- either on the target.
  if has(sf, F.FULL) and not has(tf, F.FULL) then
    bad[#bad + 1] = "full function set missing on target"
  elseif has(sf, F.RESTRICTED) and not has(tf, F.RESTRICTED | F.FULL) then
    bad[#bad + 1] = "restricted function set missing on target"
  end
  return bad, odd
end

rule{
  id = "card.capabilities",
  description = "each APQN's target card offers the source card's facilities (ap_functions)",
  check = function(src, tgt)
    for _, q in ipairs(common(src, tgt)) do
      local sf, tf = src:functions(q), tgt:functions(q)
      local function ev(differences)
        return { source = sf and ("0x%08X"):format(sf), target = tf and ("0x%08X"):format(tf),
                 differences = differences }
      end
      if not sf or not tf then
        warn("ap_functions unknown on " .. unknown_on(sf, tf), { apqn = q, evidence = ev() })
      else
        local bad, odd = incompatibilities(sf, tf)
        if #bad > 0 then
          reject("facilities incompatible: " .. table.concat(bad, ", "),
                 { apqn = q, evidence = ev(bad) })
        end
        if #odd > 0 then
          warn("facilities differ: " .. table.concat(odd, ", "), { apqn = q, evidence = ev(odd) })
        end
        -- SLCF was masked out of card ap_functions by some kernels and
        -- restored by others (d4c53ae8e494, 123b7c7c2ba7): the same card
        -- may show it on one host and not on the other.
        if has(sf, F.SLCF) ~= has(tf, F.SLCF) then
          warn(("SLCF %s; kernels differ in exposing it")
               :format(has(sf, F.SLCF) and "missing on target" or "only on target"),
               { apqn = q, evidence = ev() })
        end
      end
    end
  end,
}
