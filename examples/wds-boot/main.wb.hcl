# WDS boot image from Windows installation media, customized with ADK
# optional components and a German language pack ("WDS: Working with Images",
# custom boot images). Copy the media's sources/boot.wim to media/sources/ and
# the ADK's Windows Preinstallation Environment/<arch> directory to adk/<arch>
# (or point allow_paths at your ADK installation), then pin the WIM's digest.

wimbuild {
  required_version  = ">= 0.1"
  source_date_epoch = 1735689600
}

variable "arch" {
  type        = string
  default     = "amd64"
  description = "Architecture of the media and the ADK components."

  validation {
    condition     = contains(["amd64", "x86", "arm64"], var.arch)
    error_message = "The arch variable must be amd64, x86 or arm64."
  }
}

locals {
  ocs = "adk/${var.arch}/WinPE_OCs"
}

source "wim" "media" {
  path = "media/sources/boot.wim"
  # sha256sum media/sources/boot.wim — replace with the digest of your copy.
  sha256 = "5d7e4c3c1f0b6a2e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e"
  index  = 2 # "Microsoft Windows Setup (amd64)"
  arch   = var.arch
}

image "boot" {
  from        = source.wim.media
  name        = "Contoso WinPE ${var.arch}"
  description = "Boot image for WDS with Setup in WDS mode"

  package "setup" {
    cab = "${local.ocs}/WinPE-Setup.cab"
  }
  package "setup-server" {
    cab = "${local.ocs}/WinPE-Setup-Server.cab"
  }
  package "wds-tools" {
    cab = "${local.ocs}/WinPE-WDS-Tools.cab"
  }

  language "de-de" {
    dir      = "${local.ocs}/de-de"
    packages = ["setup", "setup-server", "wds-tools"]
  }

  files {
    source      = "overlay/"
    destination = "/"
  }

  registry "SYSTEM" {
    set "ControlSet001\\Services\\Tcpip\\Parameters" {
      name  = "EnableICMPRedirect"
      type  = "dword"
      value = 0
    }
  }

  scratch_space = 512
  ui_language   = "en-us"

  winpeshl {
    launch = "wds-setup"
  }

  metadata {
    display_name = "Contoso WinPE (${var.arch})"
    flags        = "9"
  }
}

output {
  dir         = "out"
  compression = "lzx"
}
