source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
pxe "a" {
  images = [image.boot]
}
pxe "a" { # ERROR: Duplicate pxe block
  images = [image.boot]
}
