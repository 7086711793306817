echo $(echo $(echo deep) "$(date +%s)")
x=`echo a \`echo b\``
echo "`pwd`" $((1 + 2 * (3 - x))) $( (cd /; pwd) )
