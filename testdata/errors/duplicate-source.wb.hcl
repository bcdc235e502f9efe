source "sample" "winpe" {
  arch = "amd64"
}
source "sample" "winpe" { # ERROR: Duplicate source
  arch = "x86"
}
image "boot" {
  from = source.sample.winpe
}
