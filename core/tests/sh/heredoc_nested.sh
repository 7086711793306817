f() {
  cat <<EOF
inside ${a:-b}
EOF
}
x=$(cat <<E2
sub
E2
)
cat <<\X <<Y
x1
X
y1
Y
