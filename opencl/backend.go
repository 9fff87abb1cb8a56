package opencl

import (
	"sync"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

func init() { zkaccel.Register(backend{}) }

// backend registers the OpenCL devices with zkaccel.
type backend struct{}

// Kind is zkaccel.OpenCL.
func (backend) Kind() zkaccel.Kind { return zkaccel.OpenCL }

// Devices opens libOpenCL and returns a *gpu.Device for each OpenCL device.
func (backend) Devices() ([]zkaccel.Device, error) {
	rts, err := runtimes()
	if err != nil {
		return nil, err
	}
	out := make([]zkaccel.Device, len(rts))
	for i, rt := range rts {
		out[i] = gpu.NewDevice(rt)
	}
	return out, nil
}

var (
	discoverOnce sync.Once
	discovered   []*Runtime
	discoverErr  error
)

// runtimes discovers the devices once per process: each device has one
// context and one queue, shared by every user.
func runtimes() ([]*Runtime, error) {
	discoverOnce.Do(func() { discovered, discoverErr = discover() })
	return discovered, discoverErr
}

// Runtimes opens libOpenCL (on first use) and returns the runtime of every
// OpenCL device, of every platform, numbered in platform order: the same
// runtimes that the devices of zkaccel.Devices wrap. It fails when the
// library cannot be loaded; a machine with the library but no device has
// none, without an error.
func Runtimes() ([]gpu.Runtime, error) {
	rts, err := runtimes()
	if err != nil {
		return nil, err
	}
	out := make([]gpu.Runtime, len(rts))
	for i, rt := range rts {
		out[i] = rt
	}
	return out, nil
}
