source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  capture {
    upload {
      server = "\\\\wds01" # ERROR: Invalid server name
    }
  }
}
