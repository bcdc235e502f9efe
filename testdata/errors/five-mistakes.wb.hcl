variable "arch" {
  default = "amd64"
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from          = source.sample.winpe
  scratch_space = 100      # ERROR: Invalid scratch space
  name          = var.arhc # ERROR: Reference to undeclared variable
  package "setup-client" { # ERROR: Missing package prerequisite
    cab = "WinPE-Setup-Client.cab"
  }
}
image "capture" {
  from = image.boot
  capture {
    compression = "lzms" # ERROR: Capture compression cannot be set
  }
}
pxe "wds" {
  images = [image.boot, image.discover] # ERROR: Unknown image reference
}
