echo ok
if true; then
  echo missing fi
