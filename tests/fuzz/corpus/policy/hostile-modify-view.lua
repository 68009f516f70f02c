-- expect: read-only
rule{ id = "h.view", check = function(src, tgt) tgt.mdev.adapters[1] = 99 end }
