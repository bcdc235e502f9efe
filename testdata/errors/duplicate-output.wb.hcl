source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
output {
  dir = "out"
}
output { # ERROR: Duplicate output block
  dir = "out2"
}
