cat <<-EOF
		indented $x
	plain
	EOF
cat <<-'Q'
	q $y
	Q
