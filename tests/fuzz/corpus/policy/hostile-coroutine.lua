-- expect: global 'coroutine'
rule{ id = "h.co", check = function() coroutine.wrap(function() end)() end }
