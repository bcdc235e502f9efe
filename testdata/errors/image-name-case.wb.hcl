source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
image "Boot" { # ERROR: Duplicate image
  from = source.sample.winpe
}
