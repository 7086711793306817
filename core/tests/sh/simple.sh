echo hello world
FOO=bar BAZ= env  # a comment
a=1; b=2 & c=3
