-- expect: instruction budget
while true do end
