source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
output {
  compression = "lzms" # ERROR: LZMS cannot boot
}
