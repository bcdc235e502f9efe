source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  language "de-de" {
    dir      = "de-de"
    packages = ["wds-tools"] # ERROR: Undeclared language pack package
  }
}
