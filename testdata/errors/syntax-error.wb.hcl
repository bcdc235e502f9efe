source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  name = "a" "b" # ERROR: Missing newline after argument
}
