wpeinit
echo Contoso PXE boot
