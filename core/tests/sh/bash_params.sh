# dialect: bash
echo ${v/a/b} ${v//a} ${v/#a/b} ${v:0:7} ${v^^} ${v,} ${!ref} ${arr[@]} ${#arr[@]}
echo $'a\tb\'c' $'x'
