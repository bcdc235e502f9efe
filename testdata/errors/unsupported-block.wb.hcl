source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  driver "nic" { # ERROR: Unsupported block type
    inf = "x.inf"
  }
}
