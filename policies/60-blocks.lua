-- 60-blocks.lua - administrators can hold migrations explicitly.
--
-- A block in a descriptor ("cards being replaced", "master key ceremony
-- tonight") is the orchestration-level stop the kernel leaves to userspace
-- (DOMAIN.md §7.6): while master keys change or hardware is serviced, no
-- guest should move onto or off a host.  A block past its `until`, or one
-- scheduled to start later, is kept in the record as a note so it is seen.

local function describe(side, host, b)
  local parts = { ("blocked on %s host %s"):format(side, host) }
  if b.by then parts[#parts + 1] = "by " .. b.by end
  if b["until"] then parts[#parts + 1] = "until " .. b["until"] end
  return table.concat(parts, " ") .. ": " .. b.reason
end

rule{
  id = "migration.blocked",
  description = "neither host has an active migration block",
  check = function(src, tgt, ctx)
    for _, s in ipairs{ { "source", src }, { "target", tgt } } do
      local side, v = s[1], s[2]
      for _, b in ipairs(v.blocks) do
        local ev = { side = side, host = v.host, reason = b.reason, since = b.since,
                     by = b.by, ["until"] = b["until"] }
        -- An unreadable end time keeps the block in force (fail closed).
        local ends = b["until"] and ctx.time(b["until"])
        local starts = b.since and ctx.time(b.since)
        if ends and ends < ctx.now_epoch then
          note("block expired; " .. describe(side, v.host, b), { evidence = ev })
        elseif starts and starts > ctx.now_epoch then
          note("block not yet in force (from " .. b.since .. "); " ..
               describe(side, v.host, b), { evidence = ev })
        else
          -- Who and why come from the block itself: shown (escaped) in the
          -- text, never pasted into the command.
          reject(describe(side, v.host, b), { evidence = ev, remedy = {
            text = ("the block was set%s%s because: %s; when that no longer holds, lift it on the " ..
                    "%s host %s (%s)"):format(
                    b.by and (" by " .. b.by) or "", b.since and (" on " .. b.since) or "",
                    b.reason, side, v.host,
                    b["until"] and ("it ends by itself at " .. b["until"]) or "it has no end time"),
            commands = { { on = side, command = "apgate unblock --mdev " .. v.mdev.uuid } } } })
        end
      end
    end
  end,
}
