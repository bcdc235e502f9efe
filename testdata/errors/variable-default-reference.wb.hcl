variable "a" {
  default = "x"
}
variable "b" {
  default = var.a # ERROR: Variables not allowed
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
