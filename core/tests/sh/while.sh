while read line; do echo "$line"; done < file
until false; do break; done
