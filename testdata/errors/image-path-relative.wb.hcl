source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from   = source.sample.winpe
  delete = ["Windows/System32/foo.exe"] # ERROR: Invalid image path
}
