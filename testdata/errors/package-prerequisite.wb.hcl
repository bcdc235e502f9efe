source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  package "setup-server" { # ERROR: Missing package prerequisite
    cab = "WinPE-Setup-Server.cab"
  }
}
