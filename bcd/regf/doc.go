// Package regf reads, edits and writes Windows registry hive files ("regf"
// format: SYSTEM, SOFTWARE, DEFAULT, BCD stores).
//
// A hive is parsed whole into an in-memory tree (Hive, Key, Value), edited
// with tree operations and serialized canonically by Marshal.
package regf
