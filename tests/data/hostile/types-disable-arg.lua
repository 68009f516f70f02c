-- expect: bad argument #1 to 'disable' (string expected, got table)
disable({}, "why")
