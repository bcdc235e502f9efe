source "wim" "media" {
  path   = "boot.wim"
  sha256 = "abc123" # ERROR: Invalid sha256
}
image "boot" {
  from = source.wim.media
}
