# Quickstart: a WinPE boot image built from the generated sample base.
# Needs no Microsoft media: `wimbuild build examples/quickstart`.

wimbuild {
  required_version  = ">= 0.1"
  source_date_epoch = 1735689600 # 2025-01-01T00:00:00Z; every output time comes from here
}

variable "arch" {
  type        = string
  default     = "amd64"
  description = "Architecture of the sample base image."

  validation {
    condition     = contains(["amd64", "x86", "arm64"], var.arch)
    error_message = "The arch variable must be amd64, x86 or arm64."
  }
}

locals {
  title = "Quickstart WinPE (${var.arch})"
}

source "sample" "winpe" {
  arch = var.arch
}

image "boot" {
  from        = source.sample.winpe
  name        = local.title
  description = "Sample WinPE boot image with a custom startnet.cmd"

  file "/Windows/System32/startnet.cmd" {
    content = "wpeinit\r\necho ${local.title}\r\n"
  }

  registry "SYSTEM" {
    set "ControlSet001\\Control\\Session Manager\\Environment" {
      name  = "WIMBUILD_IMAGE"
      type  = "string"
      value = "boot"
    }
  }

  scratch_space = 128
}

output {
  dir         = "out"
  compression = "lzx"
}
