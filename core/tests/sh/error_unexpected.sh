echo ok
if true; then echo x; fi fi
echo still parsed
echo )
done
echo ;; x
echo last
