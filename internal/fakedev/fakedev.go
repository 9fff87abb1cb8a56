// Package fakedev provides devices for tests: values that implement
// zkaccel.Device (and, for most, zkaccel.MSMDevice and zkaccel.NTTDevice)
// without hardware. They are never registered with zkaccel; tests pass them
// to the front ends with msm.WithDevice and ntt.WithDevice.
//
//   - [Bare] implements no operation: every call falls back to the CPU.
//   - [Unsupported] implements both operations and reports
//     zkaccel.ErrUnsupported for every request: every call falls back too.
//   - [Failing] reports a given error, which the front end must return.
//   - [Loopback] behaves like a real device: it decodes the request's raw
//     bytes into fresh gnark-crypto values, computes with gnark-crypto and
//     encodes the result back, so it checks the request layout end to end.
//   - [New] builds a device from any MSM and NTT functions, e.g. a loopback
//     that corrupts its result, to prove that a test can fail.
package fakedev

import (
	"fmt"
	"sync/atomic"

	"github.com/zkaccel/zkaccel"
)

// Kind is the kind of every fake device.
const Kind zkaccel.Kind = "fake"

// base holds what every fake device has in common.
type base struct {
	ordinal int
	name    string
}

func (b *base) Kind() zkaccel.Kind { return Kind }
func (b *base) Ordinal() int       { return b.ordinal }
func (b *base) Name() string       { return b.name }
func (b *base) Memory() uint64     { return 0 }

// String is the device's spec, "fake:N"; unlike a registered device's, it
// cannot be passed to zkaccel.Open.
func (b *base) String() string { return fmt.Sprintf("%s:%d", Kind, b.ordinal) }

// Ordinals 0–2 belong to the package-level devices; New and Failing number
// theirs from 3 on.
var nextOrdinal atomic.Int64

func init() { nextOrdinal.Store(3) }

// Bare implements no operation interface: front ends fall back to the CPU
// for every call sent to it.
var Bare zkaccel.Device = &base{ordinal: 0, name: "bare (implements no operation)"}

// Unsupported implements zkaccel.MSMDevice and zkaccel.NTTDevice and
// answers every request with an error wrapping zkaccel.ErrUnsupported.
var Unsupported zkaccel.Device = &device{
	base: base{ordinal: 1, name: "unsupported (reports ErrUnsupported)"},
	msm:  func(r *zkaccel.MSMRequest) error { return unsupported("msm %s %s", r.Curve, r.Group) },
	ntt:  func(r *zkaccel.NTTRequest) error { return unsupported("%s", nttOp(r)) },
}

// Loopback implements zkaccel.MSMDevice and zkaccel.NTTDevice like a real
// device, with [LoopbackMSM] and [LoopbackNTT].
var Loopback zkaccel.Device = &device{
	base: base{ordinal: 2, name: "loopback (gnark-crypto behind the device interface)"},
	msm:  LoopbackMSM,
	ntt:  LoopbackNTT,
}

// Failing returns a device whose every MSM and NTT fails with an error
// wrapping err (errors.Is(got, err) holds). Unless err itself wraps
// zkaccel.ErrUnsupported, front ends must return that error, not fall back.
func Failing(err error) zkaccel.Device {
	return New("failing", func(r *zkaccel.MSMRequest) error {
		return fmt.Errorf("zkaccel/fake: msm %s %s: %w", r.Curve, r.Group, err)
	}, func(r *zkaccel.NTTRequest) error {
		return fmt.Errorf("zkaccel/fake: %s: %w", nttOp(r), err)
	})
}

// New returns a fresh device, with its own ordinal, that runs MSMs with msm
// and NTTs with ntt; a nil function makes that operation report
// zkaccel.ErrUnsupported.
func New(name string, msm func(*zkaccel.MSMRequest) error, ntt func(*zkaccel.NTTRequest) error) zkaccel.Device {
	d := &device{base: base{ordinal: int(nextOrdinal.Add(1) - 1), name: name}, msm: msm, ntt: ntt}
	if d.msm == nil {
		d.msm = Unsupported.(*device).msm
	}
	if d.ntt == nil {
		d.ntt = Unsupported.(*device).ntt
	}
	return d
}

// device is a fake device that implements both operations.
type device struct {
	base
	msm func(*zkaccel.MSMRequest) error
	ntt func(*zkaccel.NTTRequest) error
}

// MSM implements zkaccel.MSMDevice.
func (d *device) MSM(req *zkaccel.MSMRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: msm: nil request")
	}
	return d.msm(req)
}

// NTT implements zkaccel.NTTDevice.
func (d *device) NTT(req *zkaccel.NTTRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: ntt: nil request")
	}
	return d.ntt(req)
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("zkaccel/fake: "+format+": %w", append(args, zkaccel.ErrUnsupported)...)
}

// nttOp names a request's operation as the front ends do: "ntt bn254 fft"
// or "ntt bn254 fft-inverse".
func nttOp(r *zkaccel.NTTRequest) string {
	if r.Inverse {
		return fmt.Sprintf("ntt %s fft-inverse", r.Field)
	}
	return fmt.Sprintf("ntt %s fft", r.Field)
}
