source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  name = vars.arch # ERROR: Unknown reference
}
