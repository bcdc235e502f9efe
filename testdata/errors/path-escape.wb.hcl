source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  files {
    source      = "../../etc" # ERROR: Path escapes the recipe directory
    destination = "/"
  }
}
