source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  file "/a.txt" { # ERROR: Missing file content
  }
}
