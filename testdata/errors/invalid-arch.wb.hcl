source "sample" "winpe" {
  arch = "x64" # ERROR: Invalid architecture
}
image "boot" {
  from = source.sample.winpe
}
