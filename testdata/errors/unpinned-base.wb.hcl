source "wim" "media" { # ERROR: Unpinned base image
  path = "boot.wim"
}
image "boot" {
  from = source.wim.media
}
