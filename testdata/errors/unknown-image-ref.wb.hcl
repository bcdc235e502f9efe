source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
image "capture" {
  from = image.bot # ERROR: Unknown image reference
}
