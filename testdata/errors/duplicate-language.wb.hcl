source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  language "de-de" {
    lp = "lp.cab"
  }
  language "DE-de" { # ERROR: Duplicate language
    lp = "lp.cab"
  }
}
