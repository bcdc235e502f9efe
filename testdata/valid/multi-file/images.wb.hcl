source "sample" "winpe" {
  arch = var.arch
}

image "boot" {
  from = source.sample.winpe
  name = "WinPE ${var.arch} for ${var.server}"
}
