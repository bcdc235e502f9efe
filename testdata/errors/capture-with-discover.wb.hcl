source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  capture {
  }
  discover { # ERROR: Conflicting launch configuration
  }
}
