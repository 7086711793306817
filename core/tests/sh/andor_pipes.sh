true && false || echo no
! grep -q x file | sort -u | head -n1
a &&
  b ||
  c
x |
y
