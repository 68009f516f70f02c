-- expect: bad argument #1 to 'rule' (table expected, got string)
rule("x")
