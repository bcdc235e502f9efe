source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from        = source.sample.winpe
  ui_language = "fr-fr" # WARNING: UI language not installed
}
