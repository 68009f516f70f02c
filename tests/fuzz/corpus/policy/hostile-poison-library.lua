-- expect: read-only
string.format = function() return "accept" end
