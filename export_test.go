package zkaccel

import "io/fs"

// SetShipped replaces the shipped crossovers with fsys (nil: none) until
// the returned function restores them; both forget what was read.
func SetShipped(fsys fs.FS) (restore func()) {
	old := shipped
	if fsys == nil {
		fsys = emptyFS{}
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

// emptyFS holds no file.
type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
