-- expect: global 'load'
rule{ id = "h.load", check = function() load("os.exit(0)")() end }
