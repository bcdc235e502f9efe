source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  registry "SYSTEM" {
    set "ControlSet001\\Services\\X" {
      name  = "Start"
      type  = "REG_DWORD" # ERROR: Invalid registry value type
      value = 4
    }
  }
}
