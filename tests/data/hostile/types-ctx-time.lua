-- expect: time gave nil
rule{ id = "h.t", check = function(src, tgt, ctx) error("time gave " .. tostring(ctx.time({}))) end }
