ls *.txt a?c [abc]x [!a-z]* [] x[ "*" \*
case $x in [0-9]*) ;; esac
