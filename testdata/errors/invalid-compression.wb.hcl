source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
output {
  compression = "zip" # ERROR: Invalid compression
}
