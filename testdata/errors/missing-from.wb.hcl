source "sample" "winpe" {
  arch = "amd64"
}
image "boot" { # ERROR: Missing required argument
  name = "x"
}
