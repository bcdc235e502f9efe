package regf

import "fmt"

// ParseOption configures Parse.
type ParseOption func(*parseConfig)

type parseConfig struct {
	allowDirty bool
}

// AllowDirty makes Parse accept a dirty hive (unequal sequence numbers): the
// result has Dirty set and may miss changes held in a transaction log, which
// this package does not replay.
func AllowDirty() ParseOption { return func(c *parseConfig) { c.allowDirty = true } }

// Parse reads a hive file into memory.
func Parse(data []byte, opts ...ParseOption) (*Hive, error) {
	return nil, fmt.Errorf("%w: parser not implemented yet", ErrUnsupported)
}
