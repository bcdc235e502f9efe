package regf

import "fmt"

// Marshal serializes the hive canonically.
func (h *Hive) Marshal() ([]byte, error) {
	return nil, fmt.Errorf("%w: writer not implemented yet", ErrUnsupported)
}

// Validate checks a hive file strictly.
func Validate(data []byte) error {
	return fmt.Errorf("%w: validator not implemented yet", ErrUnsupported)
}
