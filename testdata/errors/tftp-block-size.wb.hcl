source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
}
pxe "wds" {
  images = [image.boot]
  bcd {
    tftp_block_size = 100000 # ERROR: Invalid TFTP block size
  }
}
