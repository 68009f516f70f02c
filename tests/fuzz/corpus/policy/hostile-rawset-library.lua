-- expect: global 'rawset'
rawset(string, "rep", nil)
