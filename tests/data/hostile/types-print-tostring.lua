-- expect: '__tostring' must return a string
rule{ id = "h.t", check = function() print(setmetatable({}, { __tostring = function() return {} end })) end }
