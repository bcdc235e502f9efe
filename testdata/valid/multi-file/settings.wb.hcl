wimbuild {
  required_version = "~> 0.1"
}

variable "arch" {
  type    = string
  default = "x86"
}

variable "server" {
  type    = string
  default = ""
}
