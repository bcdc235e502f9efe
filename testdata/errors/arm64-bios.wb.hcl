source "sample" "winpe" {
  arch = "arm64"
}
image "boot" {
  from = source.sample.winpe
}
media "usb" {
  image    = image.boot
  format   = "usb"
  firmware = ["uefi", "bios"] # ERROR: BIOS boot on arm64
}
