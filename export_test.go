package zkaccel

import (
	"io/fs"
	"testing/fstest"
)

// SetShipped replaces the shipped crossovers with fsys (nil: none) until
// the returned function restores them; both forget what was read.
func SetShipped(fsys fs.FS) (restore func()) {
	old := shipped
	if fsys == nil {
		fsys = fstest.MapFS{}
	}
	shipped = fsys
	ForgetCrossovers()
	return func() {
		shipped = old
		ForgetCrossovers()
	}
}

// Shipped returns the crossovers that ship with zkaccel.
func Shipped() fs.FS { return shipped }
