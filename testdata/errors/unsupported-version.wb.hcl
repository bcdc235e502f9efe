wimbuild {
  required_version = ">= 9.0" # ERROR: Unsupported wimbuild version
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from   = source.sample.winpe
  colour = "not reported: the version error stops loading"
}
