source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  language "de-de" {
    dir      = "de-de"
    packages = ["setup"] # ERROR: Undeclared language pack package
  }
  package "setup" {
    cab = "WinPE-Setup.cab"
  }
}
