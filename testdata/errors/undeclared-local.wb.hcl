source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  name = local.title # ERROR: Reference to undeclared local value
}
