source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  name = "WinPE ${var.arhc}" # ERROR: Reference to undeclared variable
}
