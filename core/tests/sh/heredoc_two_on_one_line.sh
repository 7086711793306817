cat <<EOF; cat <<"END" >f
hello $USER
$(date) `id` \$x
EOF
no $expansion
END
echo after
