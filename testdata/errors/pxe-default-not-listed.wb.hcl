source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
image "other" {
  from = source.sample.winpe
}
pxe "wds" {
  images = [image.boot]
  bcd {
    default = image.other # ERROR: Default image not in menu
  }
}
