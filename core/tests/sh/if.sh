if test -f a; then echo a; elif [ -f b ]; then
  echo b
else echo c; fi
if true; then :; fi >out 2>&1
