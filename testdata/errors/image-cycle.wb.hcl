source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
image "a" {
  from = image.b # ERROR: Image dependency cycle
}
image "b" {
  from = image.a
}
