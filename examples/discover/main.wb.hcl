# WDS discover images for computers that cannot PXE boot: Setup starts in WDS
# mode and finds a server, either by discovery or a fixed name
# (WDSUTIL /New-DiscoverImage [/WDSServer:NAME]). Booted from an ISO.
#
# Note: Windows 11 and later boot images refuse to run Setup in WDS mode; the
# build rejects a discover image made from one.

wimbuild {
  required_version  = ">= 0.1"
  source_date_epoch = 1735689600
}

variable "server" {
  type        = string
  default     = ""
  description = "WDS server to connect to; empty means dynamic discovery."
}

source "sample" "winpe" {
  arch = "amd64"
}

image "boot" {
  from = source.sample.winpe
  name = "Contoso WinPE amd64"
}

image "discover" {
  from        = image.boot
  name        = "Contoso discover (amd64)"
  description = var.server == "" ? "Finds a WDS server by discovery" : "Connects to ${var.server}"

  discover {
    server = var.server
  }
}

image "discover-fixed" {
  from = image.boot
  name = "Contoso discover wds01 (amd64)"

  discover {
    server = "wds01.contoso.com"
  }
}

media "discover-iso" {
  image  = image.discover
  format = "iso"
  label  = "CONTOSO_DISCOVER"
}

output {
  dir         = "out"
  compression = "lzx"
}
