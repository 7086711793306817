for f in a "b c" *.d; do echo $f; done
for x; do :; done
for y
do echo $y
done
for i in 1 2 3
do
  echo $i
done
