-- 40-mkvp.lua - the guest's secure keys must keep working on the target.
--
-- Secure keys (CCA AES/APKA/ASYM keys, EP11 blobs) are enciphered under a
-- domain's CURRENT master key and work only where that key is CURRENT (CCA
-- also under OLD until re-enciphered).  The kernel does not compare master
-- keys on resume: the series leaves key synchronisation to orchestration
-- (DOMAIN.md §7.5 item 5, §7.6), so a mismatch shows only as failing crypto
-- in a guest on a healthy-looking device.  Readings follow zkey's
-- cross_check_mk_info(): CUR equal to the target's OLD means "changed, not
-- yet re-enciphered" (the card still accepts OLD: warn), equal only to its
-- NEW means "change not yet set": the key is loaded but not usable, every
-- secure-key operation fails until the target's administrator sets (CCA)
-- or finalizes (EP11) it (DOMAIN.md §7.5a): reject.
--
-- The CCA SYM (DES) master key is not in sysfs: it is compared when both
-- sides declare it (keys files, `sym`), like AES.

local KEY_TYPES = { "aes", "apka", "asym", "sym", "wk" }
-- NEW register states that mean a master-key change is under way.
local NEW_BUSY = { partial = true, full = true, uncommitted = true, committed = true }
-- NEW register states that carry a complete pattern.
local NEW_SET = { full = true, uncommitted = true, committed = true }

-- EP11 tools (zkey, pv_core, Kata) identify a wrapping key by the first 16
-- bytes of its 32-byte pattern: "0x" plus 32 hex digits.
local function same(kt, a, b)
  if not a or not b then return false end
  if kt == "wk" then return a:sub(1, 34) == b:sub(1, 34) end
  return a == b
end

local function param_true(ctx, name)
  local v = ctx.params and ctx.params[name]
  return v == true or v == "true" or v == 1 or v == "1" or v == "yes" or v == "on"
end

-- Accelerators hold no master keys.
local function is_accel(v, q)
  local c = v:card(q)
  if not c then return false end
  if c.mode then return c.mode == "accel" end
  local f = v:functions(q)
  if f then return f & ap_functions.MODE_MASK == ap_functions.ACCEL end
  return (c.type or ""):match("^CEX%d+A$") ~= nil
end

local function is_cca(v, q, m)
  local c = v:card(q)
  if c and c.mode then return c.mode == "cca" end
  return m.aes ~= nil or m.apka ~= nil or m.asym ~= nil
end

local function side(s, t)
  return s == nil and (t == nil and "source and target" or "source") or "target"
end

-- Plain copies of a key type's registers for evidence: { cur = "valid 0x..." }.
local function regs(k)
  if not k then return nil end
  local out = {}
  for _, r in ipairs{ "new", "cur", "old" } do
    if k[r] then out[r] = k[r].mkvp and (k[r].state .. " " .. k[r].mkvp) or k[r].state end
  end
  return out
end

local function known(reg)
  return reg and reg.state ~= "unknown"
end

rule{
  id = "mkvp.match",
  description = "each APQN's current master keys on the source are current on the target (same MKVPs)",
  check = function(src, tgt, ctx)
    local strict = param_true(ctx, "require_mkvps")

    -- Not visible is never equal (DOMAIN.md §2.6): warn, or reject when
    -- the site requires master keys to be compared.
    local function unseen(q, msg, ev, where)
      ev.require_mkvps = strict
      local remedy = { text = ("declare the master keys of %s on the %s (apgate collect --keys FILE " ..
                               "with the MKVPs the security team or the guest reads, `apgate " ..
                               "collect --guest`), since the host cannot see them for a queue " ..
                               "bound to vfio_ap"):format(q, where) }
      if strict then
        reject(msg .. " (require_mkvps)", { apqn = q, evidence = ev, remedy = remedy })
      else
        warn(msg, { apqn = q, evidence = ev, remedy = remedy })
      end
    end

    local function check_key(q, kt, s, t)
      -- Most APQNs hold one or two of the five key types: nothing to say
      -- about a type neither side has.
      if not s and not t then return end
      local K = kt:upper()
      local function ev() return { key_type = kt, source = regs(s), target = regs(t) } end
      local told_new = false
      if s and not known(s.cur) then
        unseen(q, ("current %s master key not visible on source"):format(K), ev(), "source")
      elseif s and s.cur.state == "valid" then
        local cur = s.cur.mkvp
        -- Text only: master keys are loaded and set from a TKE or the
        -- CCA/EP11 tools by key officers, never by a command apgate could
        -- write; the text names register, MKVP and APQN.
        local function must_hold(how)
          return { text = ("the CURRENT %s master-key register of target APQN %s must hold MKVP " ..
                           "%s (the source's CURRENT): %s"):format(K, q, cur, how) }
        end
        if not (t and known(t.cur)) then
          unseen(q, ("current %s master key not visible on target"):format(K), ev(), "target")
        elseif t.cur.state == "valid" and same(kt, cur, t.cur.mkvp) then
          -- equal: the keys keep working
        elseif t.old and t.old.state == "valid" and same(kt, cur, t.old.mkvp) then
          warn(("current %s master key is OLD on target: secure keys need re-enciphering")
               :format(K), { apqn = q, evidence = ev(),
                 remedy = { text = ("the guest's %s secure keys are enciphered under MKVP %s, the OLD " ..
                                    "%s master key of target APQN %s: re-encipher them under its " ..
                                    "CURRENT key (MKVP %s; e.g. zkey reencipher --from-old) before " ..
                                    "the next master-key change there; no key ceremony is needed")
                                   :format(K, cur, K, q, t.cur.mkvp or "?") } })
        elseif t.new and NEW_SET[t.new.state] and same(kt, cur, t.new.mkvp) then
          told_new = true
          reject(("current %s master key is only NEW (%s) on target: loaded but not set on the " ..
                  "target; set it first"):format(K, t.new.state), { apqn = q, evidence = ev(),
                  remedy = must_hold(("set the loaded NEW %s master key there (%s; it is already " ..
                                      "loaded, no key ceremony is needed), then check again")
                                     :format(K, kt == "wk" and "commit and finalize the pending " ..
                                             "wrapping key from the TKE or with the EP11 tools"
                                             or "set master key from the TKE or with the CCA tools")) })
        elseif t.cur.state == "valid" then
          reject(("current %s master key differs on target"):format(K), { apqn = q, evidence = ev(),
                  remedy = must_hold(("it holds %s; load the source's master key into that domain " ..
                                      "(a key ceremony with the key parts, from a TKE), or migrate " ..
                                      "to a host whose APQN has it"):format(t.cur.mkvp or "another")) })
        else
          reject(("no current %s master key on target"):format(K), { apqn = q, evidence = ev(),
                  remedy = must_hold("it has none; load and set the source's master key in that " ..
                                     "domain (a key ceremony with the key parts, from a TKE), or " ..
                                     "migrate to a host whose APQN has it") })
        end
      end
      -- A change under way on either side may make CUR differ at any moment.
      local s_busy = s and s.new and NEW_BUSY[s.new.state]
      local t_busy = t and t.new and NEW_BUSY[t.new.state] and not told_new
      if s_busy or t_busy then
        local busy = {}
        if s_busy then busy[#busy + 1] = s.new.state .. " on source" end
        if t_busy then busy[#busy + 1] = t.new.state .. " on target" end
        warn(("master key change in progress for %s: NEW %s"):format(K, table.concat(busy, ", ")),
             { apqn = q, evidence = ev(),
               remedy = { text = ("wait until the %s master-key change of APQN %s (NEW register %s) " ..
                                  "is finished on both hosts and check again, or migrate first and " ..
                                  "change the key afterwards"):format(K, q, table.concat(busy, ", ")) } })
      end
    end

    local no_sym = {}
    for _, q in ipairs(src:apqns()) do
      -- APQNs missing on the target are apqn.match's and apqn.available's.
      local tq = tgt:has_apqn(q) and tgt:queue(q)
      if tq and not (is_accel(src, q) and is_accel(tgt, q)) then
        local sq = src:queue(q)
        local sm, tm = sq and sq.mkvps, tq.mkvps
        if not sm or not tm then
          unseen(q, "master keys not visible on " .. side(sm, tm),
                 { source_origin = sm and sm.origin, target_origin = tm and tm.origin },
                 side(sm, tm))
        else
          for _, kt in ipairs(KEY_TYPES) do check_key(q, kt, sm[kt], tm[kt]) end
          if is_cca(src, q, sm) and not sm.sym and not tm.sym then no_sym[#no_sym + 1] = q end
        end
      end
    end
    -- SYM can only be declared; say how, once, when nobody did.
    if #no_sym > 0 then
      local shown = table.concat(no_sym, " ", 1, math.min(#no_sym, 4)) .. (#no_sym > 4 and " ..." or "")
      note(("SYM (DES) master key not compared for %d CCA APQN%s (%s): the kernel does not show " ..
            "it; declare it on both sides with --keys (sym:) to compare it")
           :format(#no_sym, #no_sym == 1 and "" or "s", shown), { evidence = { apqns = no_sym } })
    end
  end,
}
