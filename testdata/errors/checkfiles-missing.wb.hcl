source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  file "/Windows/System32/startnet.cmd" {
    source = "no-such-startnet.cmd" # ERROR: File not found
  }
}
