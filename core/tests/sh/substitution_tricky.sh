echo $(case x in x) echo in;; esac) done
x=$( (echo a) )
y=$((1+(2)))
