source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
image "x86" {
  from = image.boot
  arch = "x86" # ERROR: Architecture mismatch
}
