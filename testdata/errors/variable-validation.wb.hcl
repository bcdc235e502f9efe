variable "arch" {
  type    = string
  default = "x64" # ERROR: Invalid value for variable
  validation {
    condition     = contains(["amd64", "x86"], var.arch)
    error_message = "The arch must be amd64 or x86."
  }
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
