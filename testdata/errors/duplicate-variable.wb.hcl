variable "a" {
  default = "1"
}
variable "a" { # ERROR: Duplicate variable
  default = "2"
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
