source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  language "german" { # ERROR: Invalid language tag
    lp = "lp.cab"
  }
}
