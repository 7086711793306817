f() { echo "$@"; }
g ( ) (
  echo sub
)
h()
{ :; } 2>/dev/null
