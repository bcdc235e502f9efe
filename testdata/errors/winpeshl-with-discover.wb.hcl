source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  discover {
  }
  winpeshl { # ERROR: winpeshl conflicts with discover
    launch = "wds-setup"
  }
}
