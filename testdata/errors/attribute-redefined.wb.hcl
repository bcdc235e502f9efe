source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  name = "a"
  name = "b" # ERROR: Attribute redefined
}
