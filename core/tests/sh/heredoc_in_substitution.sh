a=1\
b=2 cmd
echo "$(cat <<EOF
inside
EOF
)"
