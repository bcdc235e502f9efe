source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  package "setup" {
    cab = "WinPE-Setup.zip" # ERROR: Not a cab file
  }
}
