source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
pxe "wds" {
  images = [image.boot, image.boot] # ERROR: Duplicate PXE image
}
