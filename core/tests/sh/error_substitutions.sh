echo ${a
echo ${a b} next; echo after
echo `unterminated
