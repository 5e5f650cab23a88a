//go:build !unix

package dendritetest

// lockFile is a no-op where flock is unavailable; the atomic rename of the
// build directory still keeps concurrent builders from clashing.
func lockFile(string) (func(), error) { return func() {}, nil }
