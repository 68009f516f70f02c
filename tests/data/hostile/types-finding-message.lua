-- expect: reject(): the message must be a string, not table
rule{ id = "h.t", check = function() reject({}) end }
