locals {
  a = 1
}
locals {
  a = 2 # ERROR: Duplicate local value
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
