source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  name = file("../../../etc/hostname") # ERROR: Invalid function argument
}
