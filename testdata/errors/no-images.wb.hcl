# ERROR: No images
source "sample" "winpe" { # WARNING: Unused source
  arch = "amd64"
}
