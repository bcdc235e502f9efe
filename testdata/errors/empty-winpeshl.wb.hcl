source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  winpeshl { # ERROR: Empty winpeshl block
  }
}
