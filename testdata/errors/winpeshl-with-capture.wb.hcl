source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  winpeshl {
    launch = "wds-setup"
  }
  capture { # ERROR: winpeshl conflicts with capture
  }
}
