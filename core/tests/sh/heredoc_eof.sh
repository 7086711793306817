cat <<EOF
no end here
