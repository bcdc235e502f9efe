source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from   = source.sample.winpe
  colour = "blue" # ERROR: Unsupported argument
}
