-- expect: global 'require'
rule{ id = "h.require", check = function() local os = require("os") os.exit(0) end }
