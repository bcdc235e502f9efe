variable "n" {
  type    = number
  default = "many" # ERROR: Invalid default value for variable
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
