wpeinit
echo overlay
