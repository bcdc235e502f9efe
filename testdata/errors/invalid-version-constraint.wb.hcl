wimbuild {
  required_version = "newest" # ERROR: Invalid version constraint
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
