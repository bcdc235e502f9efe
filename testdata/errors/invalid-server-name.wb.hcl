source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  discover {
    server = "wds 01" # ERROR: Invalid server name
  }
}
