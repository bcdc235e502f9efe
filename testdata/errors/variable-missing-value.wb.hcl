variable "server" { # ERROR: Missing value for variable
  type = string
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  name = var.server
}
