package gpu

// OpenCLGPUPrelude is the prelude a Device puts before every program on an
// OpenCL GPU (devicePrelude, under the current environment), for tests
// that compile the OpenCL GPU form with a compiler of their own.
func OpenCLGPUPrelude() (string, error) {
	pre, _, err := devicePrelude(preludeRuntime{kind: "opencl", typ: "gpu"})
	return pre, err
}

// preludeRuntime answers the two questions devicePrelude asks of a
// runtime: its kind and its OpenCL device type.
type preludeRuntime struct {
	Runtime
	kind, typ string
}

func (r preludeRuntime) Kind() string { return r.kind }
func (r preludeRuntime) Type() string { return r.typ }
