package cuda

import (
	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

// backend discovers the GPUs once, on first use; no context is made until
// a runtime is used.
var backend = gpu.NewBackend(zkaccel.CUDA, discover)

func init() { zkaccel.Register(backend) }

// Runtimes opens libcuda (on first use) and returns the runtime of every
// CUDA GPU, by ordinal: the same runtimes that the devices of
// zkaccel.Devices wrap. It fails when the driver cannot be loaded or
// initialised (no libcuda, no GPU).
func Runtimes() ([]gpu.Runtime, error) { return backend.GPURuntimes() }
