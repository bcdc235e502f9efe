source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
media "usb" {
  image  = image.boot
  format = "vhd" # ERROR: Invalid media format
}
