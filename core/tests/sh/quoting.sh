echo 'a'"b"\c d\
e
echo "$(echo "x")" "a \$b \\ \q"
echo a\#b #c
