source "sample" "winpe" {
  arch = "amd64"
}
source "sample" "spare" { # WARNING: Unused source
  arch = "x86"
}
image "boot" {
  from = source.sample.winpe
}
