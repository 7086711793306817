for 1x in a; do :; done
echo ok
case in
echo after
