wpeinit
