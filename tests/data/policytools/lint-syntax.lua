-- lint-syntax.lua - does not compile.
rule{ id = "x", check = function() end
