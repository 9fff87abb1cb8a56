package cuda

import (
	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

func init() { zkaccel.Register(backend{}) }

// backend registers the CUDA GPUs with zkaccel.
type backend struct{}

// Kind is zkaccel.CUDA.
func (backend) Kind() zkaccel.Kind { return zkaccel.CUDA }

// Devices opens libcuda and returns a *gpu.Device for each GPU.
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
