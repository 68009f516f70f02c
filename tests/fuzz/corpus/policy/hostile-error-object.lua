-- expect: error object is a function value
rule{ id = "h.errobj", check = function() error(print) end }
