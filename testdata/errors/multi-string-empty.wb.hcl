source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  registry "SYSTEM" {
    set "ControlSet001\\Control\\MUI\\Settings" {
      name  = "PreferredUILanguages"
      type  = "multi_string"
      value = ["de-DE", ""] # ERROR: Invalid registry value
    }
  }
}
