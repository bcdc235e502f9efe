source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  registry "HKLM\\SYSTEM" { # ERROR: Invalid registry hive
  }
}
