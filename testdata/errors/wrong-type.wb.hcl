source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from          = source.sample.winpe
  scratch_space = "lots" # ERROR: Incorrect attribute value type
}
