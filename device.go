package zkaccel

import "fmt"

// Kind names a family of devices, and is the part of a device spec before the
// colon ("cuda" in "cuda:1").
type Kind string

// The device kinds zkaccel knows. Backends for other kinds may register
// themselves too (tests do).
const (
	CPU    Kind = "cpu"
	CUDA   Kind = "cuda"
	OpenCL Kind = "opencl"
	FPGA   Kind = "fpga"
)

// KnownKinds lists the kinds zkaccel ships backends for, in the order
// [Devices] lists them.
func KnownKinds() []Kind { return []Kind{CPU, CUDA, OpenCL, FPGA} }

// Device is one device that can run zkaccel's operations. Devices are
// obtained from [Devices], [Open] or [Default]; each physical device is one
// value, so devices can be compared with ==.
//
// Which operations a device runs is told by the request interfaces it
// implements ([MSMDevice], [NTTDevice]); a device that implements none of
// them still appears in [Devices], and every operation sent to it falls back
// to the CPU.
type Device interface {
	// Kind is the device's family.
	Kind() Kind
	// Ordinal is the device's index among the devices of its kind, from 0.
	Ordinal() int
	// Name is a human name, e.g. "NVIDIA H100 80GB HBM3" or the CPU model.
	Name() string
	// String is the device's spec, e.g. "cuda:0"; Open(d.String()) returns d.
	String() string
	// Memory is the device's total memory in bytes, 0 where unknown.
	Memory() uint64
}

// spec formats the canonical spec of a device of kind k and ordinal i.
func spec(k Kind, i int) string { return fmt.Sprintf("%s:%d", k, i) }
