# dialect: bash
make &>build.log; make &>>all.log
grep x <<<"$y"
