// Package bcd models Boot Configuration Data stores (objects, elements,
// devices) and implements bcdedit-equivalent operations on top of the regf
// registry hive engine.
package bcd
