# End-to-end builder fixture: every image step kind on a small sample base.
wimbuild {
  source_date_epoch = 1735689600
}

variable "server" {
  type    = string
  default = "wds01.contoso.com"
}

source "wim" "base" {
  path  = "base.wim"
  index = 2
}

image "boot" {
  from        = source.wim.base
  name        = "Contoso WinPE (amd64)"
  description = "Boot image for WDS"

  files {
    source      = "overlay/"
    destination = "/"
  }

  file "/Windows/System32/hello.txt" {
    content = "hello\r\n"
  }

  delete = ["/Windows/System32/winpeshl.exe"]

  registry "SYSTEM" {
    set "ControlSet001\\Control\\Session Manager\\Environment" {
      name  = "CONTOSO"
      type  = "string"
      value = "yes"
    }
  }

  scratch_space = 256

  winpeshl {
    launch = "wds-setup"
  }
}

image "capture" {
  from = image.boot
  name = "Contoso Capture (amd64)"

  capture {
    exclusions = ["\\pagefile.sys"]
  }
}

image "discover" {
  from = image.boot
  name = "Contoso Discover (amd64)"

  discover {
    server = var.server
  }
}

output {
  dir         = "out"
  compression = "xpress"
}
