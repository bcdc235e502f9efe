# A WDS capture image: boots into the WDS Image Capture Wizard
# (wdscapture.exe) with its settings written to WDSCapture.inf, and uploads
# the captured image to a WDS server. Built from the generated sample base so
# it needs no Microsoft media; swap in source "wim" for production.

wimbuild {
  required_version  = ">= 0.1"
  source_date_epoch = 1735689600
}

variable "server" {
  type        = string
  default     = "wds01.contoso.com"
  description = "WDS server that receives captured images."
}

source "sample" "winpe" {
  arch = "amd64"
}

image "boot" {
  from = source.sample.winpe
  name = "Contoso WinPE amd64"
}

image "capture" {
  from        = image.boot
  name        = "Contoso capture (amd64)"
  description = "Captures the C: volume and uploads it to ${var.server}"

  capture {
    unattended        = true
    volume            = "C:\\"
    image_name        = "Reference image"
    image_description = "Captured by the Contoso capture image"
    destination       = "D:\\capture.wim"
    overwrite         = true
    exclusions        = ["\\pagefile.sys", "\\hiberfil.sys", "\\swapfile.sys"]

    upload {
      server       = var.server
      image_group  = "Reference"
      delete_local = true
    }
  }
}

output {
  dir = "out"
}
