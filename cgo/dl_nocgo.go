//go:build !cgo

package cgo

import "unsafe"

// Available reports whether this build can open libraries (it was built
// with cgo).
const Available = false

func dlopen(name string) (unsafe.Pointer, error) { return nil, ErrNoCgo }

func dlsym(h unsafe.Pointer, name string) (unsafe.Pointer, error) { return nil, ErrNoCgo }

func call(f unsafe.Pointer, args []uintptr) uintptr { return 0 }
