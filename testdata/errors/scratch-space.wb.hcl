source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from          = source.sample.winpe
  scratch_space = 100 # ERROR: Invalid scratch space
}
