package opencl

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
)

// platformInfo reads a string property of a platform.
func (a *api) platformInfo(pl uintptr, param uintptr) (string, error) {
	var ps cgo.Pins
	defer ps.Done()
	n := ps.Word(0)
	if err := check("clGetPlatformInfo", call(a.getPlatformInfo, pl, param, 0, 0, cgo.Addr(n))); err != nil {
		return "", err
	}
	if *n == 0 {
		return "", nil
	}
	buf := make([]byte, *n)
	if err := check("clGetPlatformInfo", call(a.getPlatformInfo, pl, param, *n, ps.Bytes(buf), 0)); err != nil {
		return "", err
	}
	return cString(buf), nil
}

// deviceString reads a string property of a device.
func (a *api) deviceString(dev uintptr, param uintptr) (string, error) {
	buf, err := a.deviceBytes(dev, param)
	return cString(buf), err
}

// deviceBytes reads a property of a device of any size (nil where it is
// empty).
func (a *api) deviceBytes(dev uintptr, param uintptr) ([]byte, error) {
	var ps cgo.Pins
	defer ps.Done()
	n := ps.Word(0)
	if err := check("clGetDeviceInfo", call(a.getDeviceInfo, dev, param, 0, 0, cgo.Addr(n))); err != nil {
		return nil, err
	}
	if *n == 0 {
		return nil, nil
	}
	buf := make([]byte, *n)
	if err := check("clGetDeviceInfo", call(a.getDeviceInfo, dev, param, *n, ps.Bytes(buf), 0)); err != nil {
		return nil, err
	}
	return buf, nil
}

// deviceWord reads a cl_ulong or size_t property of a device (both are one
// word on the 64-bit platforms this package supports).
func (a *api) deviceWord(dev uintptr, param uintptr) (uint64, error) {
	var ps cgo.Pins
	defer ps.Done()
	v := ps.Word(0)
	if err := check("clGetDeviceInfo", call(a.getDeviceInfo, dev, param, 8, cgo.Addr(v), 0)); err != nil {
		return 0, err
	}
	return uint64(*v), nil
}

// deviceWords reads a size_t[] property of a device.
func (a *api) deviceWords(dev uintptr, param uintptr) ([]uint64, error) {
	buf, err := a.deviceBytes(dev, param)
	if err != nil {
		return nil, err
	}
	if len(buf) == 0 || len(buf)%8 != 0 {
		return nil, fmt.Errorf("zkaccel/opencl: clGetDeviceInfo(%#x): %d bytes, not an array of 8-byte words", param, len(buf))
	}
	out := make([]uint64, len(buf)/8)
	for i := range out {
		out[i] = binary.NativeEndian.Uint64(buf[8*i:])
	}
	return out, nil
}

// cString returns the text of a NUL-terminated C string in b, trimmed.
func cString(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(string(b))
}

// platforms lists the platform ids; none is not an error.
func (a *api) platforms() ([]uintptr, error) {
	var ps cgo.Pins
	defer ps.Done()
	n := ps.Word(0)
	st := call(a.getPlatformIDs, 0, 0, cgo.Addr(n))
	if c := int32(st); c == clPlatformNotFound || (c == clSuccess && *n == 0) {
		return nil, nil
	}
	if err := check("clGetPlatformIDs", st); err != nil {
		return nil, err
	}
	ids := ps.Words(make([]uintptr, *n)...)
	if err := check("clGetPlatformIDs", call(a.getPlatformIDs, *n, cgo.Addrs(ids), 0)); err != nil {
		return nil, err
	}
	return ids, nil
}

// devices lists the devices of a platform, of every type; none is not an
// error.
func (a *api) devices(pl uintptr) ([]uintptr, error) {
	var ps cgo.Pins
	defer ps.Done()
	n := ps.Word(0)
	st := call(a.getDeviceIDs, pl, clDeviceTypeAll, 0, 0, cgo.Addr(n))
	if c := int32(st); c == clDeviceNotFound || (c == clSuccess && *n == 0) {
		return nil, nil
	}
	if err := check("clGetDeviceIDs", st); err != nil {
		return nil, err
	}
	ids := ps.Words(make([]uintptr, *n)...)
	if err := check("clGetDeviceIDs", call(a.getDeviceIDs, pl, clDeviceTypeAll, *n, cgo.Addrs(ids), 0)); err != nil {
		return nil, err
	}
	return ids, nil
}

// discover opens a runtime for every device of every platform, numbered in
// platform order. A device whose context or queue cannot be created is
// left out (with a debug message); only a failure to list platforms, or
// every device failing, is an error.
func discover() ([]*Runtime, error) {
	a, err := loadAPI()
	if err != nil {
		return nil, err
	}
	return discoverOn(a)
}

// discoverOn is discover over the library a.
func discoverOn(a *api) ([]*Runtime, error) {
	pls, err := a.platforms()
	if err != nil {
		return nil, err
	}
	var out []*Runtime
	var firstErr error
	for _, pl := range pls {
		devs, err := a.devices(pl)
		if err != nil {
			zkaccel.Debugf("opencl: platform %#x: %v", pl, err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for _, dev := range devs {
			rt, err := newRuntime(a, pl, dev, len(out))
			if err != nil {
				zkaccel.Debugf("opencl: device %#x left out: %v", dev, err)
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			out = append(out, rt)
		}
	}
	if len(out) == 0 && firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// newRuntime reads a device's properties. Its context and in-order,
// profiling-enabled command queue (open) are made at its first call, so
// that a process that lists the OpenCL devices but uses another (CUDA on
// the same NVIDIA GPU, whose OpenCL context would hold device memory of
// its own) makes none.
func newRuntime(a *api, pl, dev uintptr, ordinal int) (*Runtime, error) {
	rt := &Runtime{api: a, platform: pl, device: dev, ordinal: ordinal, profiling: true,
		progs: map[[32]byte]*Program{}, bufs: map[*buffer]struct{}{}}
	var err error
	if rt.name, err = a.deviceString(dev, clDeviceName); err != nil {
		return nil, err
	}
	if rt.vendor, err = a.deviceString(dev, clDeviceVendor); err != nil {
		return nil, err
	}
	if rt.driver, err = a.deviceString(dev, clDriverVersion); err != nil {
		return nil, err
	}
	if rt.version, err = a.deviceString(dev, clDeviceVersion); err != nil {
		return nil, err
	}
	if rt.platName, err = a.platformInfo(pl, clPlatformName); err != nil {
		return nil, err
	}
	if rt.platVersion, err = a.platformInfo(pl, clPlatformVersion); err != nil {
		return nil, err
	}
	if rt.memory, err = a.deviceWord(dev, clDeviceGlobalMemSize); err != nil {
		return nil, err
	}
	if rt.maxAlloc, err = a.deviceWord(dev, clDeviceMaxMemAllocSize); err != nil {
		return nil, err
	}
	g, err := a.deviceWord(dev, clDeviceMaxWorkGroupSize)
	if err != nil {
		return nil, err
	}
	rt.maxGroup = int(g)
	// A 1-D launch's work-group is also bounded by the first dimension's
	// limit, which a device may set below its CL_DEVICE_MAX_WORK_GROUP_SIZE.
	dims, err := a.deviceWords(dev, clDeviceMaxWorkItemSizes)
	if err != nil {
		return nil, err
	}
	if d0 := dims[0]; d0 > 0 && d0 < g {
		rt.maxGroup = int(d0)
	}
	if rt.devType, err = a.deviceWord(dev, clDeviceType); err != nil {
		return nil, err
	}
	return rt, nil // its context is made at its first call (enter)
}
