# Every block and attribute of the language in one valid recipe.

wimbuild {
  required_version  = ">= 0.1, < 1.0"
  source_date_epoch = var.epoch
  allow_paths       = ["../shared-adk"]
}

variable "epoch" {
  type    = number
  default = 1735689600
}

variable "arch" {
  type        = string
  default     = "amd64"
  description = "Target architecture."
  sensitive   = false

  validation {
    condition     = contains(["amd64", "x86", "arm64"], var.arch)
    error_message = "The arch must be amd64, x86 or arm64."
  }
  validation {
    condition     = lower(var.arch) == var.arch
    error_message = "The arch is written in lower case."
  }
}

variable "password" {
  type      = string
  default   = "s3cret"
  sensitive = true
}

variable "tags" {
  type    = map(string)
  default = { owner = "it", site = "hq" }
}

locals {
  ocs       = "adk/${var.arch}/WinPE_OCs"
  title     = format("Contoso %s %s", upper(var.arch), join("-", sort(keys(var.tags))))
  startnet  = file("startnet.cmd")
  digest    = filesha256("startnet.cmd")
  cab_names = [for p in ["WMI", "NetFX", "Scripting", "PowerShell"] : "WinPE-${p}.cab"]
  merged    = merge(var.tags, { arch = var.arch })
  names     = concat(["a"], ["b", "c"])
}

source "wim" "media" {
  path       = "media/sources/boot.wim"
  sha256     = "5D7E4C3C1F0B6A2E9D8C7B6A5F4E3D2C1B0A9F8E7D6C5B4A3F2E1D0C9B8A7F6E"
  image_name = "Microsoft Windows Setup (${var.arch})"
  arch       = var.arch
}

source "sample" "small" {
  arch = "x86"
}

image "boot" {
  from        = source.wim.media
  name        = local.title
  description = "Built with ${length(local.names)} names, startnet ${substr(local.digest, 0, 8)}"

  package "wmi" {
    cab    = "${local.ocs}/${local.cab_names[0]}"
    sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
  }
  package "netfx" {
    cab = "${local.ocs}/${local.cab_names[1]}"
  }
  package "scripting" {
    cab = "${local.ocs}/${local.cab_names[2]}"
  }
  package "powershell" {
    cab = "${local.ocs}/${local.cab_names[3]}"
  }
  package "setup" {
    cab = "../shared-adk/WinPE-Setup.cab"
  }

  language "de-de" {
    lp       = "${local.ocs}/de-de/lp.cab"
    packages = ["wmi", "powershell"]
  }

  files {
    source      = "overlay"
    destination = "/"
  }

  file "/Windows/System32/startnet.cmd" {
    content = replace(local.startnet, "wpeinit", "wpeinit -unattend:X:\\unattend.xml")
  }
  file "\\Windows\\System32\\hello2.txt" {
    source = "${dirname("overlay/Windows/System32/hello.txt")}/${basename("overlay/Windows/System32/hello.txt")}"
  }

  delete = ["/Windows/System32/foo.exe", "/Program Files/Old Tool"]

  registry "SYSTEM" {
    set "ControlSet001\\Services\\FBWF" {
      name  = "WinPECacheThreshold"
      type  = "dword"
      value = 512
    }
    set "ControlSet001\\Control\\Test" {
      type  = "string"
      value = "default value"
    }
    set "ControlSet001\\Control\\Test" {
      name  = "Expand"
      type  = "expand_string"
      value = "%SystemRoot%\\x"
    }
    set "ControlSet001\\Control\\Test" {
      name  = "Multi"
      type  = "multi_string"
      value = ["a", "b"]
    }
    set "ControlSet001\\Control\\Test" {
      name  = "Big"
      type  = "qword"
      value = 18446744073709551615
    }
    set "ControlSet001\\Control\\Test" {
      name  = "Blob"
      type  = "binary"
      value = "01 02 ff"
    }
    set "ControlSet001\\Control\\Test" {
      name  = "Nothing"
      type  = "none"
      value = ""
    }
    delete_value "ControlSet001\\Control\\Test" {
      name = "Old"
    }
    delete_key = ["ControlSet001\\Services\\Unwanted"]
  }

  registry "software" {
    set "Contoso\\Build" {
      name  = "Tags"
      type  = "string"
      value = jsonencode(local.merged)
    }
  }

  scratch_space = 256
  ui_language   = "de-de"

  winpeshl {
    launch_app = "%SYSTEMDRIVE%\\Contoso\\shell.exe"

    app {
      path = "%SYSTEMROOT%\\System32\\wpeinit.exe"
    }
    app {
      path = "%SYSTEMDRIVE%\\Contoso\\app2.exe"
      args = "/s \"C:\\Program Files\\App3\""
    }
  }

  metadata {
    display_name        = "Contoso WinPE"
    display_description = "Contoso boot image"
    flags               = "9"
  }
}

image "small" {
  from = source.sample.small

  discover {
    server = "10.0.0.5"
  }
}

image "capture" {
  from = image.boot
  arch = var.arch

  capture {
    exclusions = ["\\pagefile.sys"]

    upload {
      server      = "wds01"
      image_group = "Captures"
      username    = "svc-capture"
      domain      = "CONTOSO"
    }
  }
}

pxe "wds" {
  layout = "wds"
  images = [image.boot, image.capture, image.small]

  bcd {
    timeout          = 0
    default          = image.capture
    tftp_block_size  = 1456
    tftp_window_size = 8
  }
}

media "iso" {
  image    = image.capture
  format   = "iso"
  label    = "CONTOSO_CAPTURE"
  firmware = ["uefi"]

  bcd {
    timeout = 5
  }
}

output {
  dir         = "build/out"
  compression = "xpress"
}
