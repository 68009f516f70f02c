-- expect: field 'dump'
rule{ id = "h.dump", check = function() local b = string.dump(function() end) end }
