source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  file "/a.txt" {
    content = "x"
    source  = "a.txt" # ERROR: Conflicting file content
  }
}
