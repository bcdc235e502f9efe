source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  winpeshl {
    launch_app = "%SYSTEMDRIVE%\\shell.exe, /s" # ERROR: Arguments in launch_app
  }
}
