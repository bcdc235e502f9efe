source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  package "setup" { # WARNING: Package name differs from its cab
    cab = "adk/WinPE_OCs/WinPE-WDS-Tools.cab"
  }
}
