package gpu

// Prelude is the prelude a Device puts before every program on a runtime
// of kind ("cuda" or "opencl"), OpenCL device type typ ("gpu", "cpu") and
// vendor (its CL_DEVICE_VENDOR string), under the current environment
// (devicePrelude), for tests that check it or compile a device's form
// with a compiler of their own.
func Prelude(kind, typ, vendor string) (string, error) {
	pre, _, err := devicePrelude(preludeRuntime{kind: kind, typ: typ, vendor: vendor})
	return pre, err
}

// preludeRuntime answers the questions devicePrelude asks of a runtime:
// its kind, its OpenCL device type and its vendor.
type preludeRuntime struct {
	Runtime
	kind, typ, vendor string
}

func (r preludeRuntime) Kind() string   { return r.kind }
func (r preludeRuntime) Type() string   { return r.typ }
func (r preludeRuntime) Vendor() string { return r.vendor }

// FormsOf is what Device.Forms says on a runtime of kind, OpenCL device
// type typ and vendor, under the current environment.
func FormsOf(kind, typ, vendor string) (string, error) {
	pre, err := Prelude(kind, typ, vendor)
	if err != nil {
		return "", err
	}
	return describeForms(kind, pre), nil
}
