package hostfs

import "time"

// FILETIME is 100-nanosecond intervals since 1601-01-01 UTC.
const (
	filetimeUnixEpoch = 116444736000000000 // FILETIME of 1970-01-01 UTC
	filetimePerSecond = 10000000
)

// ToFiletime converts t to a Windows FILETIME. Times before 1601 become 0.
func ToFiletime(t time.Time) uint64 {
	s := t.Unix() + filetimeUnixEpoch/filetimePerSecond
	if s < 0 {
		return 0
	}
	return uint64(s)*filetimePerSecond + uint64(t.Nanosecond()/100)
}

// FromFiletime converts a Windows FILETIME to a time.Time (UTC).
func FromFiletime(ft uint64) time.Time {
	s := int64(ft/filetimePerSecond) - filetimeUnixEpoch/filetimePerSecond
	ns := int64(ft%filetimePerSecond) * 100
	return time.Unix(s, ns).UTC()
}
