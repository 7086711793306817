echo a \
  b \
  c
ec\
ho x
echo "line \
joined"
echo 'kept \
literal'
