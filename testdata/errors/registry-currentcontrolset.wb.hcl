source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  registry "SYSTEM" {
    delete_key = ["CurrentControlSet\\Services\\Foo"] # ERROR: Invalid registry key
  }
}
