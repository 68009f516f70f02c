-- expect: global 'io'
rule{ id = "h.io", check = function() local f = io.open("/etc/passwd") reject(f:read("a")) end }
