# dialect: bash
case $a in a) echo a;& b) echo b;;& c) echo c;; esac
