source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
pxe "wds" {
  layout = "tftp" # ERROR: Invalid PXE layout
  images = [image.boot]
}
