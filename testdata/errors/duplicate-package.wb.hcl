source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  package "setup" {
    cab = "WinPE-Setup.cab"
  }
  package "setup" { # ERROR: Duplicate package
    cab = "WinPE-Setup.cab"
  }
}
