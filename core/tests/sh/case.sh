case "$1" in
  start|begin) echo start ;;
  (stop) echo stop;;
  *.tar.gz | *.tgz)
    tar xzf "$1"
    ;;
  "esac") echo e ;;
  *) echo default
esac
case x in esac
case $a in a) b
esac
