-- expect: global 'os'
rule{ id = "h.os", check = function() os.execute("touch /tmp/apgate-pwned") end }
