source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  registry "SYSTEM" {
    set "ControlSet001\\Services\\X" {
      name  = "Start"
      type  = "dword"
      value = 4294967296 # ERROR: Registry value out of range
    }
  }
}
