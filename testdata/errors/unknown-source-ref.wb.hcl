source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.wim.media # ERROR: Unknown source reference
}
