source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  winpeshl {
    apps = [{ path = "%SYSTEMDRIVE%\\tool.exe", args = "/s" }] # ERROR: Use app blocks
  }
}
