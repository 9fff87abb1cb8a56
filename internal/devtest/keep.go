package devtest

import (
	"fmt"

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
