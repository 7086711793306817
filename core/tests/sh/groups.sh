{ echo a; echo b; } > out
( cd /tmp && ls )
{ echo }; }
