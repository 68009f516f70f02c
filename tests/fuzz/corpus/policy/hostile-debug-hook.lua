-- expect: global 'debug'
rule{ id = "h.debug", check = function() debug.sethook() end }
