-- expect: attempt to index a nil value (field '__index')
rule{ id = "h.smt", check = function() getmetatable("").__index.rep = function() return "" end end }
