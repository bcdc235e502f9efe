source "wim" "media" {
  path       = "boot.wim"
  sha256     = "5d7e4c3c1f0b6a2e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e"
  index      = 2
  image_name = "Microsoft Windows Setup (amd64)" # ERROR: Conflicting image selection
}
image "boot" {
  from = source.wim.media
}
