# comment line
echo a # trailing
echo a#b
  # indented
echo "#not" '#not' \#not
