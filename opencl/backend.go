package opencl

import (
	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

// backend discovers the OpenCL devices once, on first use: each device has
// one context and one queue, shared by every user.
var backend = gpu.NewBackend(zkaccel.OpenCL, discover)

func init() { zkaccel.Register(backend) }

// Runtimes opens libOpenCL (on first use) and returns the runtime of every
// OpenCL device, of every platform, numbered in platform order: the same
// runtimes that the devices of zkaccel.Devices wrap. It fails when the
// library cannot be loaded; a machine with the library but no device has
// none, without an error.
func Runtimes() ([]gpu.Runtime, error) { return backend.GPURuntimes() }
