package gpu

import (
	"sync"

	"github.com/zkaccel/zkaccel"
)

// Backend is the zkaccel.Backend of one GPU runtime (OpenCL, CUDA): it
// discovers the runtime's devices once, on first use — never in init, so
// registering loads nothing — and wraps each in one [Device], which every
// user then shares. R is the runtime's concrete type.
type Backend[R Runtime] struct {
	kind     zkaccel.Kind
	discover func() ([]R, error)

	once sync.Once
	rts  []R
	devs []zkaccel.Device
	err  error
}

// NewBackend returns the backend of kind whose devices discover finds.
func NewBackend[R Runtime](kind zkaccel.Kind, discover func() ([]R, error)) *Backend[R] {
	return &Backend[R]{kind: kind, discover: discover}
}

func (b *Backend[R]) load() {
	b.once.Do(func() {
		b.rts, b.err = b.discover()
		if b.err != nil {
			b.rts = nil
			return
		}
		for _, rt := range b.rts {
			b.devs = append(b.devs, NewDevice(rt))
		}
	})
}

// Kind is the runtime's device kind.
func (b *Backend[R]) Kind() zkaccel.Kind { return b.kind }

// Devices returns a *Device for each of the runtime's devices (the same
// ones on every call), or why there are none.
func (b *Backend[R]) Devices() ([]zkaccel.Device, error) {
	b.load()
	return b.devs, b.err
}

// Runtimes returns the runtimes of the devices, in ordinal order.
func (b *Backend[R]) Runtimes() ([]R, error) {
	b.load()
	return b.rts, b.err
}

// GPURuntimes returns the same runtimes as [Runtime] values.
func (b *Backend[R]) GPURuntimes() ([]Runtime, error) {
	rts, err := b.Runtimes()
	if err != nil {
		return nil, err
	}
	out := make([]Runtime, len(rts))
	for i, rt := range rts {
		out[i] = rt
	}
	return out, nil
}
