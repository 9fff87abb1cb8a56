package fakedev

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// Poseidon implements zkaccel.PoseidonDevice's fixed-constant Poseidon
// batches: the [Loopback] runs req with [LoopbackPoseidon]; every other
// device of fakedev.go (Unsupported, Failing, New) reports
// zkaccel.ErrUnsupported. [NewCircom] builds devices with other behaviour.
func (d *device) Poseidon(req *zkaccel.PoseidonRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: poseidon: nil request")
	}
	if d != Loopback.(*device) {
		return unsupported("poseidon %s %s: %v runs no Poseidon", req.Variant, req.Field, d)
	}
	return LoopbackPoseidon(req)
}

// LoopbackPoseidon runs a fixed-constant Poseidon request as a device
// would, by its variant: circom over BN254 with [LoopbackPoseidonCircom],
// Hermez over Goldilocks with [LoopbackPoseidonHermez]. Any other variant
// or field is reported as zkaccel.ErrUnsupported.
func LoopbackPoseidon(req *zkaccel.PoseidonRequest) error {
	switch req.Variant {
	case zkaccel.PoseidonCircom:
		return LoopbackPoseidonCircom(req)
	case zkaccel.PoseidonHermez:
		return LoopbackPoseidonHermez(req)
	}
	return unsupported("poseidon %s %s: unknown variant", req.Variant, req.Field)
}

// LoopbackPoseidonCircom runs a circomlib Poseidon request
// (zkaccel.PoseidonCircom over zkaccel.FieldBN254) as a device would: it
// checks the request's shape (Width = InLen+1 with 1 to 16 inputs, one
// element out per hash, buffer sizes), copies req.In into fresh fr
// elements, checks that each is reduced (a wrong layout rarely gives only
// values < p), hashes them with bn254.PoseidonBatch on the CPU and writes
// the hashes into req.Out. Another variant or field, or a width circomlib
// does not define, is reported as zkaccel.ErrUnsupported; a malformed
// request is an error.
func LoopbackPoseidonCircom(req *zkaccel.PoseidonRequest) error {
	if req.Variant != zkaccel.PoseidonCircom || req.Field != zkaccel.FieldBN254 {
		return unsupported("poseidon %s %s: not the circom BN254 variant", req.Variant, req.Field)
	}
	if req.Width < 2 || req.Width > 17 {
		return unsupported("poseidon circom bn254: width %d (circomlib defines 2 to 17)", req.Width)
	}
	if err := circomLoopback(req); err != nil {
		return fmt.Errorf("zkaccel/fake: poseidon circom bn254: %w", err)
	}
	return nil
}

// circomLoopback computes a circom request whose variant, field and width
// are already checked.
func circomLoopback(req *zkaccel.PoseidonRequest) error {
	switch {
	case req.InLen != req.Width-1:
		return fmt.Errorf("InLen = %d, want Width−1 = %d", req.InLen, req.Width-1)
	case req.OutLen != 1:
		return fmt.Errorf("OutLen = %d, want 1", req.OutLen)
	case req.N < 1:
		return fmt.Errorf("N = %d, want ≥ 1", req.N)
	case req.NbTasks < 0 || req.NbTasks > 1024:
		return fmt.Errorf("NbTasks = %d, out of range [0, 1024]", req.NbTasks)
	}
	in, err := decode[fr.Element]("In", req.In, req.N*req.InLen)
	if err != nil {
		return err
	}
	if err := reduced("In", in); err != nil {
		return err
	}
	if want := req.N * fr.Bytes; len(req.Out) != want {
		return fmt.Errorf("Out: %d bytes, want %d (%d × 1 element)", len(req.Out), want, req.N)
	}
	batch := make([][]fr.Element, req.N)
	for i := range batch {
		batch[i] = in[i*req.InLen : (i+1)*req.InLen]
	}
	out, err := bn254.PoseidonBatch(batch, cpuOpts(req.NbTasks)...)
	if err != nil {
		return err
	}
	copy(req.Out, rawbytes.Of(out))
	return nil
}

// LoopbackMerkleCircom builds a circom Poseidon Merkle tree request
// (zkaccel.MerklePoseidonCircomBN254) as a device would: it checks the
// request's shape (32-byte nodes, a power-of-two number of leaves, no
// parameters, N−1 nodes out), copies req.Leaves into fresh fr elements,
// checks that each is reduced, builds the tree with bn254.MerkleTreeCircom
// on the CPU and writes every layer above the leaves, bottom-up, into
// req.Out. Another hash is reported as zkaccel.ErrUnsupported; a malformed
// request is an error.
func LoopbackMerkleCircom(req *zkaccel.MerkleRequest) error {
	if req.Hash != zkaccel.MerklePoseidonCircomBN254 {
		return unsupported("merkle %s: not the circom BN254 Poseidon tree", req.Hash)
	}
	if err := merkleCircomLoopback(req); err != nil {
		return fmt.Errorf("zkaccel/fake: merkle %s: %w", req.Hash, err)
	}
	return nil
}

func merkleCircomLoopback(req *zkaccel.MerkleRequest) error {
	switch {
	case req.NodeSize != fr.Bytes:
		return fmt.Errorf("NodeSize = %d, want %d", req.NodeSize, fr.Bytes)
	case req.N < 1 || req.N&(req.N-1) != 0:
		return fmt.Errorf("N = %d is not a power of two", req.N)
	case len(req.Params) != 0:
		return fmt.Errorf("Params: %d bytes, want none", len(req.Params))
	case req.NbTasks < 0 || req.NbTasks > 1024:
		return fmt.Errorf("NbTasks = %d, out of range [0, 1024]", req.NbTasks)
	}
	leaves, err := decode[fr.Element]("Leaves", req.Leaves, req.N)
	if err != nil {
		return err
	}
	if err := reduced("Leaves", leaves); err != nil {
		return err
	}
	if want := (req.N - 1) * fr.Bytes; len(req.Out) != want {
		return fmt.Errorf("Out: %d bytes, want %d (%d nodes above the leaves)", len(req.Out), want, req.N-1)
	}
	layers, err := bn254.MerkleTreeCircom(leaves, cpuOpts(req.NbTasks)...)
	if err != nil {
		return err
	}
	out := req.Out
	for _, l := range layers[1:] {
		out = out[copy(out, rawbytes.Of(l)):]
	}
	return nil
}

// reduced checks that every element of s is below the modulus r, as every
// fr.Element is (its Montgomery limbs encode a value < r).
func reduced(what string, s []fr.Element) error {
	for i := range s {
		if !belowR(&s[i]) {
			return fmt.Errorf("%s: element %d is ≥ r: not a reduced fr.Element (Montgomery form, little-endian limbs)", what, i)
		}
	}
	return nil
}

// frModulus is r as little-endian 64-bit limbs.
var frModulus = func() (q [4]uint64) {
	for i, w := range fr.Modulus().Bits() {
		q[i] = uint64(w)
	}
	return q
}()

// belowR reports whether e's limbs, as a 256-bit integer, are < r.
func belowR(e *fr.Element) bool {
	for i := 3; i >= 0; i-- {
		if e[i] != frModulus[i] {
			return e[i] < frModulus[i]
		}
	}
	return false
}

// cpuOpts are the options that run a front end on the CPU with nbTasks
// goroutines (0: the default).
func cpuOpts(nbTasks int) []poseidon.Option {
	opts := []poseidon.Option{poseidon.WithDevice(zkaccel.HostCPU())}
	if nbTasks > 0 {
		opts = append(opts, poseidon.WithNbTasks(nbTasks))
	}
	return opts
}

// CircomFuncs are the operations of a device built by [NewCircom]; a nil
// function makes its operation report zkaccel.ErrUnsupported.
type CircomFuncs struct {
	Poseidon func(*zkaccel.PoseidonRequest) error
	Merkle   func(*zkaccel.MerkleRequest) error
}

// LoopbackCircom returns the loopback's circom Poseidon operations, for a
// test to wrap (to corrupt or record them) in a device built by
// [NewCircom].
func LoopbackCircom() CircomFuncs {
	return CircomFuncs{Poseidon: LoopbackPoseidonCircom, Merkle: LoopbackMerkleCircom}
}

// circomDevice is a device built by NewCircom: it implements
// zkaccel.PoseidonDevice (Poseidon2 always reports zkaccel.ErrUnsupported)
// and zkaccel.MerkleDevice only.
type circomDevice struct {
	base
	f CircomFuncs
}

// NewCircom returns a fresh device, with its own ordinal, that runs
// fixed-constant Poseidon batches and Merkle trees with f (and no other
// operation: MSMs, NTTs, Poseidon2 and Keccak sent to it fall back).
func NewCircom(name string, f CircomFuncs) zkaccel.Device {
	return &circomDevice{base: base{ordinal: int(nextOrdinal.Add(1) - 1), name: name}, f: f}
}

// FailingCircom returns a device whose every Poseidon batch and Merkle tree
// fails with an error wrapping err; unless err wraps zkaccel.ErrUnsupported,
// front ends must return that error.
func FailingCircom(err error) zkaccel.Device {
	return NewCircom("failing circom", CircomFuncs{
		Poseidon: func(r *zkaccel.PoseidonRequest) error {
			return fmt.Errorf("zkaccel/fake: poseidon %s %s: %w", r.Variant, r.Field, err)
		},
		Merkle: func(r *zkaccel.MerkleRequest) error { return fmt.Errorf("zkaccel/fake: merkle %s: %w", r.Hash, err) },
	})
}

// Poseidon implements zkaccel.PoseidonDevice.
func (d *circomDevice) Poseidon(req *zkaccel.PoseidonRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: poseidon: nil request")
	}
	if d.f.Poseidon == nil {
		return unsupported("poseidon %s %s: %v runs no Poseidon", req.Variant, req.Field, d)
	}
	return d.f.Poseidon(req)
}

// Poseidon2 implements zkaccel.PoseidonDevice: it reports
// zkaccel.ErrUnsupported.
func (d *circomDevice) Poseidon2(req *zkaccel.Poseidon2Request) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: poseidon2: nil request")
	}
	return unsupported("poseidon2 %s: %v runs no Poseidon2", req.Field, d)
}

// Merkle implements zkaccel.MerkleDevice.
func (d *circomDevice) Merkle(req *zkaccel.MerkleRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: merkle: nil request")
	}
	if d.f.Merkle == nil {
		return unsupported("merkle %s: %v runs no Merkle trees", req.Hash, d)
	}
	return d.f.Merkle(req)
}
