source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  file "/Windows/System32/startnet.cmd" {
    content = "a"
  }
  file "/windows/system32/STARTNET.cmd" { # ERROR: Duplicate file
    content = "b"
  }
}
