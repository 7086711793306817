# dialect: bash
function f { echo f; }
function g() { echo g; }
[[ -f $x && ( $y == a* || $z < 3 ) ]] && echo ok
arr=(a "b c" $d) b=1 cmd
set -o pipefail
