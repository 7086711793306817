echo ok
echo 'unterminated
echo never
