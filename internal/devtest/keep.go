package devtest

import (
	"fmt"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

// Keep is how a provers' test keeps a proving key on the device: not at all
// (a one-shot Prove), whole (a Prover), or in part (a Prover on a GPU whose
// share for resident data has room for a quarter, a half or three quarters
// of the key: see [KeptOn]).
type Keep int

// The ways of keeping a key; KeepQuarter…KeepThreeQuarters are the
// quarters of the key there is room for.
const (
	KeepNone Keep = iota - 1
	KeepAll
	KeepQuarter
	KeepHalf
	KeepThreeQuarters
)

// KeepOf decodes a fuzz input's bits: bit 0 clear is KeepNone; set, bits 1
// and 2 give the quarters of room (0: KeepAll).
func KeepOf(b byte) Keep {
	if b%2 == 0 {
		return KeepNone
	}
	return Keep(b / 2 % 4)
}

// Bits is the inverse of KeepOf: the bits that decode to k.
func (k Keep) Bits() byte {
	if k == KeepNone {
		return 0
	}
	return 1 + 2*byte(k)
}

// String names k, as tests print it.
func (k Keep) String() string {
	switch k {
	case KeepNone:
		return "key not kept"
	case KeepAll:
		return "key kept"
	}
	return fmt.Sprintf("key kept with room for %d/4 of it", int(k))
}

// KeptOn returns the device on which a Prover keeps a key of all bytes of
// points the way k says, and a function that frees what it set up: for a
// part of the key on a GPU-runtime device, a device over dev's runtime
// (Crowded) whose share has room for k quarters of all bytes and no more;
// otherwise dev itself. room is that room (0 for dev itself).
func KeptOn(dev zkaccel.Device, k Keep, all int64) (on zkaccel.Device, room uint64, release func(), err error) {
	gd, ok := dev.(*gpu.Device)
	if !ok || k < KeepQuarter || all <= 0 {
		return dev, 0, func() {}, nil
	}
	room = uint64(k) * uint64(all) / 4
	small, release, err := Crowded(gd, max(8<<20, 4*uint64(all)), room)
	if err != nil {
		return nil, 0, nil, err
	}
	return small, room, release, nil
}

// KeyKeeper is what KeptProver needs of a prover that keeps a key on a
// device (gnark/groth16's and gnark/plonk's Prover).
type KeyKeeper interface {
	Residency() (onDevice, all int64)
	Close()
}

// KeptProver makes, with newProver, a prover on dev that keeps its key the
// way k says (not KeepNone): for a part of the key, on a crowded device
// (KeptOn; the key's size from a prover on the host CPU), where the prover
// must keep no more than the room and not all of it. It returns the prover,
// the device it runs on, and a function that closes the prover and frees
// what KeptOn set up.
func KeptProver[P KeyKeeper](dev zkaccel.Device, k Keep, newProver func(zkaccel.Device) (P, error)) (p P, ran zkaccel.Device, done func(), err error) {
	var all int64
	if k != KeepAll {
		host, err := newProver(zkaccel.HostCPU())
		if err != nil {
			return p, dev, nil, err
		}
		_, all = host.Residency()
		host.Close()
	}
	ran, room, release, err := KeptOn(dev, k, all)
	if err != nil {
		return p, dev, nil, err
	}
	if p, err = newProver(ran); err != nil {
		release()
		return p, ran, nil, err
	}
	done = func() {
		p.Close()
		release()
	}
	if on, all := p.Residency(); ran != dev && (on < 0 || uint64(on) > room || on == all) {
		done()
		return p, ran, nil, fmt.Errorf("%v: %d of the key's %d bytes kept on a device with room for %d", k, on, all, room)
	}
	return p, ran, done, nil
}

// TallyProof tallies (Tally) the outcome of a provers' fuzz input once
// every device has run it: failed, proved (sat) or refused.
func TallyProof(t testing.TB, sat bool) {
	switch {
	case t.Failed():
		Tally("failed")
	case sat:
		Tally("proved on each device")
	default:
		Tally("unsatisfiable: refused on each device")
	}
}
