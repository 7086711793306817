# dialect: bash
(( i++ )) && echo $i
((x = (1 + 2) * 3)) >/dev/null
( (echo subshells) )
