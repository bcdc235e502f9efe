source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  winpeshl {
    app {
      path = "%SYSTEMDRIVE%\\sources\\setup.exe"
      args = "/wds /wdsserver:wds01" # ERROR: /wdsserver without /wdsdiscover
    }
  }
}
