source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from            = source.sample.winpe
  install_version = "Windows 10" # ERROR: Invalid install version
}
