source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  file "/Windows/../../evil.exe" { # ERROR: Invalid image path
    content = "x"
  }
}
