source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  winpeshl {
    launch = "wds" # ERROR: Unknown launch preset
  }
}
