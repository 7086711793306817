echo if then else fi do done case esac in { } !
echo for while; x=if
if=1 echo
