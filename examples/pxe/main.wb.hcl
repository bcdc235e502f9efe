# A PXE bundle with a boot menu offering a boot image and a capture image,
# laid out like RemoteInstall\Boot on a WDS server (any TFTP server can serve
# it), plus an iPXE/wimboot variant of the same images.

wimbuild {
  required_version  = ">= 0.1"
  source_date_epoch = 1735689600
}

variable "arch" {
  type    = string
  default = "amd64"
}

source "sample" "winpe" {
  arch = var.arch
}

image "boot" {
  from = source.sample.winpe
  name = "Contoso WinPE ${var.arch}"

  file "/Windows/System32/startnet.cmd" {
    source = "startnet.cmd"
  }

  delete = ["/Windows/System32/winpeshl.ini"]
}

image "capture" {
  from = image.boot
  name = "Contoso capture ${var.arch}"

  capture {
    exclusions = ["\\pagefile.sys"]
  }
}

pxe "wds" {
  images = [image.boot, image.capture]

  bcd {
    timeout         = 10
    default         = image.boot
    tftp_block_size = 16384
  }
}

pxe "ipxe" {
  layout = "ipxe"
  images = [image.boot]
}

output {
  dir         = "out"
  compression = "lzx"
}
