package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"sort"
)

// KeyBuilder computes a step cache key: a SHA-256 Merkle digest over a
// canonical, unambiguous encoding of the step kind, its implementation
// version, its normalized parameters, the keys of its inputs and the content
// digests of host files. Every field is written as tag, name and
// length-prefixed value, so no two different field sequences encode alike.
// Labels, descriptions and paths must not be added.
type KeyBuilder struct {
	h hash.Hash
}

// NewKey starts a key for a step kind at an implementation version. Bump the
// version whenever the step's output for the same inputs changes.
func NewKey(kind string, version int) *KeyBuilder {
	k := &KeyBuilder{h: sha256.New()}
	k.field('K', "wimbuild-cache-v1", []byte(kind))
	k.Int("version", int64(version))
	return k
}

func (k *KeyBuilder) field(tag byte, name string, v []byte) {
	var n [8]byte
	k.h.Write([]byte{tag})
	binary.LittleEndian.PutUint64(n[:], uint64(len(name)))
	k.h.Write(n[:])
	k.h.Write([]byte(name))
	binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
	k.h.Write(n[:])
	k.h.Write(v)
}

// String adds a string parameter.
func (k *KeyBuilder) String(name, v string) *KeyBuilder {
	k.field('s', name, []byte(v))
	return k
}

// Bytes adds a byte-string parameter.
func (k *KeyBuilder) Bytes(name string, v []byte) *KeyBuilder {
	k.field('b', name, v)
	return k
}

// Int adds an integer parameter.
func (k *KeyBuilder) Int(name string, v int64) *KeyBuilder {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(v))
	k.field('i', name, b[:])
	return k
}

// Bool adds a boolean parameter.
func (k *KeyBuilder) Bool(name string, v bool) *KeyBuilder {
	b := []byte{0}
	if v {
		b[0] = 1
	}
	k.field('t', name, b)
	return k
}

// Strings adds an ordered list of strings.
func (k *KeyBuilder) Strings(name string, vs []string) *KeyBuilder {
	k.Int(name+"#", int64(len(vs)))
	for _, v := range vs {
		k.field('l', name, []byte(v))
	}
	return k
}

// Map adds a string map in sorted key order.
func (k *KeyBuilder) Map(name string, m map[string]string) *KeyBuilder {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	k.Int(name+"#", int64(len(keys)))
	for _, key := range keys {
		k.field('m', name, []byte(key))
		k.field('v', name, []byte(m[key]))
	}
	return k
}

// Input adds the key of an input step or the content digest of an input.
func (k *KeyBuilder) Input(name string, d Digest) *KeyBuilder {
	k.field('d', name, []byte(d))
	return k
}

// Sum returns the key.
func (k *KeyBuilder) Sum() Digest {
	return Digest(hex.EncodeToString(k.h.Sum(nil)))
}
