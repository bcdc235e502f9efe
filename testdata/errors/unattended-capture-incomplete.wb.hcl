source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  capture {
    unattended = true # ERROR: Incomplete unattended capture
  }
}
