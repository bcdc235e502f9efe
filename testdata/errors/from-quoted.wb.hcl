source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = "source.sample.winpe" # ERROR: Invalid reference
}
