echo "${HOME}/x" ~/bin "a"b'c'
x=$(echo "$(echo "$(echo deep)")")
echo "`echo \"inner\"`"
echo $(( $(echo 1) + 2 ))
cat <<EOF | tr a b
a $(echo "quoted ) paren")
EOF
echo ${x:-"a b"} ${x#"$y"} "${x%/*}"
echo \
