cat <in >out 2>&1 >>log 3<>rw 4<&0 >|clob 2>/dev/null
exec 10>file
echo 2>x 2 >y a2>z
