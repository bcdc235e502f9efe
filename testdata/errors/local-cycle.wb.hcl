locals {
  a = local.b # ERROR: Local value cycle
  b = "${local.a}x"
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
