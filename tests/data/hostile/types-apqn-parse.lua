-- expect: parse gave nil, not an APQN like "05.0004": table:
rule{ id = "h.t", check = function() local a, m = apqn.parse({}) error("parse gave " .. tostring(a) .. ", " .. m) end }
