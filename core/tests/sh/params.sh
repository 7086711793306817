echo $a ${b} $1 $@ $* $# $? $$ $! $- $0 ${10} $a_b-c $ x$
echo ${#name} ${#} ${a:-d} ${a-d} ${a:=d} ${a=d} ${a:?msg here} ${a?} ${a:+alt} ${a+alt}
echo ${v#*/} ${v##*/} ${v%.*} ${v%%.*} ${v:-$(pwd)/x} "${a:-"q u"}" ${a:-${b:-c}}
