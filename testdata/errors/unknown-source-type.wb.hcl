source "iso" "media" { # ERROR: Unknown source type
  path = "x.iso"
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
