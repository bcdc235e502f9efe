source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  name = "copy of ${image.boot}" # ERROR: Block reference not allowed here
}
