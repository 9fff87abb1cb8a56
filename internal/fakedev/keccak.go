package fakedev

import (
	"encoding/binary"
	"fmt"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/keccak"
)

// The Keccak operations. Loopback runs them like a device would, with the
// keccak package's CPU implementation behind the request's raw bytes
// ([LoopbackKeccak256], [LoopbackKeccakF1600], and the Keccak-256 branch of
// [LoopbackMerkle]); every other device of this package's fakedev.go
// (Unsupported, Failing, New) reports zkaccel.ErrUnsupported for them. Tests
// that need a Keccak device that fails, corrupts or records build one with
// [NewKeccak] or [FailingKeccak].

// Keccak256 implements zkaccel.KeccakDevice.
func (d *device) Keccak256(req *zkaccel.KeccakRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: keccak256: nil request")
	}
	if d != Loopback.(*device) {
		return unsupported("keccak256: %v runs no Keccak", d)
	}
	return LoopbackKeccak256(req)
}

// KeccakF1600 implements zkaccel.KeccakDevice.
func (d *device) KeccakF1600(req *zkaccel.KeccakPermuteRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: keccak-f1600: nil request")
	}
	if d != Loopback.(*device) {
		return unsupported("keccak-f1600: %v runs no Keccak", d)
	}
	return LoopbackKeccakF1600(req)
}

// keccakOpts checks a request's NbTasks and returns the options that run
// the keccak front end on the CPU with it.
func keccakOpts(n int) ([]keccak.Option, error) {
	if n < 0 || n > 1024 {
		return nil, fmt.Errorf("NbTasks = %d, out of range [0, 1024]", n)
	}
	opts := []keccak.Option{keccak.WithDevice(zkaccel.HostCPU())}
	if n > 0 {
		opts = append(opts, keccak.WithNbTasks(n))
	}
	return opts, nil
}

// LoopbackKeccak256 runs req as a device would: it checks that Offsets
// (N+1 of them, from 0, non-decreasing, ending at len(Data)) delimit N ≥ 1
// messages in Data and that Out has room for N digests, copies each message
// out of Data, hashes them with keccak.Sum256Batch on the CPU and writes the
// digests into Out. A malformed request is an error (never ErrUnsupported).
func LoopbackKeccak256(req *zkaccel.KeccakRequest) error {
	if err := loopKeccak256(req); err != nil {
		return fmt.Errorf("zkaccel/fake: keccak256: %w", err)
	}
	return nil
}

func loopKeccak256(req *zkaccel.KeccakRequest) error {
	n := req.N
	switch {
	case n < 1:
		return fmt.Errorf("N = %d, want ≥ 1", n)
	case len(req.Offsets) != n+1:
		return fmt.Errorf("%d offsets for N = %d messages, want N+1", len(req.Offsets), n)
	case req.Offsets[0] != 0:
		return fmt.Errorf("Offsets[0] = %d, want 0", req.Offsets[0])
	case req.Offsets[n] != len(req.Data):
		return fmt.Errorf("Offsets[N] = %d, but the data hold %d bytes", req.Offsets[n], len(req.Data))
	case len(req.Out) != 32*n:
		return fmt.Errorf("out: %d bytes, want %d (N × 32)", len(req.Out), 32*n)
	}
	opts, err := keccakOpts(req.NbTasks)
	if err != nil {
		return err
	}
	msgs := make([][]byte, n)
	for i := range msgs {
		lo, hi := req.Offsets[i], req.Offsets[i+1]
		if hi < lo {
			return fmt.Errorf("Offsets[%d] = %d < Offsets[%d] = %d", i+1, hi, i, lo)
		}
		msgs[i] = append([]byte(nil), req.Data[lo:hi]...)
	}
	digests, err := keccak.Sum256Batch(msgs, opts...)
	if err != nil {
		return err
	}
	for i, d := range digests {
		copy(req.Out[32*i:], d[:])
	}
	return nil
}

// LoopbackKeccakF1600 runs req as a device would: it decodes the N ≥ 1
// states of req.States as 25 little-endian 64-bit lanes each into fresh
// values, permutes them with keccak.PermuteBatch on the CPU and encodes them
// back. A malformed request is an error.
func LoopbackKeccakF1600(req *zkaccel.KeccakPermuteRequest) error {
	if err := loopKeccakF1600(req); err != nil {
		return fmt.Errorf("zkaccel/fake: keccak-f1600: %w", err)
	}
	return nil
}

func loopKeccakF1600(req *zkaccel.KeccakPermuteRequest) error {
	if req.N < 1 {
		return fmt.Errorf("N = %d, want ≥ 1", req.N)
	}
	if len(req.States) != 200*req.N {
		return fmt.Errorf("states: %d bytes, want %d (N × 200)", len(req.States), 200*req.N)
	}
	opts, err := keccakOpts(req.NbTasks)
	if err != nil {
		return err
	}
	states := make([][25]uint64, req.N)
	for i := range states {
		for j := range states[i] {
			states[i][j] = binary.LittleEndian.Uint64(req.States[200*i+8*j:])
		}
	}
	if err := keccak.PermuteBatch(states, opts...); err != nil {
		return err
	}
	for i := range states {
		for j, lane := range states[i] {
			binary.LittleEndian.PutUint64(req.States[200*i+8*j:], lane)
		}
	}
	return nil
}

// LoopbackMerkleKeccak256 is LoopbackMerkle's zkaccel.MerkleKeccak256
// branch: it checks that the request holds N ≥ 1 leaves, N a power of two,
// of 32 bytes each, no parameters, and room for the N−1 nodes above the
// leaves; builds the tree with keccak.MerkleTree on the CPU from a copy of
// the leaves; and writes the layers above the leaves into Out, bottom-up.
// Another hash is reported as zkaccel.ErrUnsupported; a malformed request
// is an error.
func LoopbackMerkleKeccak256(req *zkaccel.MerkleRequest) error {
	if req.Hash != zkaccel.MerkleKeccak256 {
		return unsupported("merkle %s: not %s", req.Hash, zkaccel.MerkleKeccak256)
	}
	if err := loopMerkleKeccak256(req); err != nil {
		return fmt.Errorf("zkaccel/fake: merkle %s: %w", req.Hash, err)
	}
	return nil
}

func loopMerkleKeccak256(req *zkaccel.MerkleRequest) error {
	n := req.N
	switch {
	case req.NodeSize != 32:
		return fmt.Errorf("NodeSize = %d, want 32", req.NodeSize)
	case n < 1 || n&(n-1) != 0:
		return fmt.Errorf("N = %d leaves, want a power of two (the front end pads)", n)
	case len(req.Leaves) != 32*n:
		return fmt.Errorf("leaves: %d bytes, want %d (N × 32)", len(req.Leaves), 32*n)
	case len(req.Out) != 32*(n-1):
		return fmt.Errorf("out: %d bytes, want %d ((N−1) × 32)", len(req.Out), 32*(n-1))
	case len(req.Params) != 0:
		return fmt.Errorf("%d bytes of parameters, want none", len(req.Params))
	}
	opts, err := keccakOpts(req.NbTasks)
	if err != nil {
		return err
	}
	leaves := make([][32]byte, n)
	for i := range leaves {
		copy(leaves[i][:], req.Leaves[32*i:])
	}
	layers, err := keccak.MerkleTree(leaves, opts...)
	if err != nil {
		return err
	}
	at := 0
	for _, layer := range layers[1:] {
		for _, node := range layer {
			copy(req.Out[at:], node[:])
			at += 32
		}
	}
	return nil
}

// KeccakFuncs are the operations of a device built by [NewKeccak]; a nil
// function makes its operation report zkaccel.ErrUnsupported.
type KeccakFuncs struct {
	Keccak256   func(*zkaccel.KeccakRequest) error
	KeccakF1600 func(*zkaccel.KeccakPermuteRequest) error
	Merkle      func(*zkaccel.MerkleRequest) error
}

// LoopbackKeccak returns the loopback's Keccak operations, for a test to
// wrap (to corrupt or record them) in a device built by [NewKeccak].
func LoopbackKeccak() KeccakFuncs {
	return KeccakFuncs{Keccak256: LoopbackKeccak256, KeccakF1600: LoopbackKeccakF1600, Merkle: LoopbackMerkle}
}

// keccakDevice is a device built by NewKeccak: it implements
// zkaccel.KeccakDevice and zkaccel.MerkleDevice only.
type keccakDevice struct {
	base
	f KeccakFuncs
}

// NewKeccak returns a fresh device, with its own ordinal, that implements
// zkaccel.KeccakDevice and zkaccel.MerkleDevice with f (and no other
// operation: MSMs, NTTs and Poseidon hashes sent to it fall back).
func NewKeccak(name string, f KeccakFuncs) zkaccel.Device {
	return &keccakDevice{base: base{ordinal: int(nextOrdinal.Add(1) - 1), name: name}, f: f}
}

// FailingKeccak returns a device whose every Keccak operation and Merkle
// tree fails with an error wrapping err; unless err wraps
// zkaccel.ErrUnsupported, front ends must return that error.
func FailingKeccak(err error) zkaccel.Device {
	return NewKeccak("failing keccak", KeccakFuncs{
		Keccak256:   func(*zkaccel.KeccakRequest) error { return fmt.Errorf("zkaccel/fake: keccak256: %w", err) },
		KeccakF1600: func(*zkaccel.KeccakPermuteRequest) error { return fmt.Errorf("zkaccel/fake: keccak-f1600: %w", err) },
		Merkle: func(r *zkaccel.MerkleRequest) error {
			return fmt.Errorf("zkaccel/fake: merkle %s: %w", r.Hash, err)
		},
	})
}

// Keccak256 implements zkaccel.KeccakDevice.
func (d *keccakDevice) Keccak256(req *zkaccel.KeccakRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: keccak256: nil request")
	}
	if d.f.Keccak256 == nil {
		return unsupported("keccak256: %v runs no Keccak-256", d)
	}
	return d.f.Keccak256(req)
}

// KeccakF1600 implements zkaccel.KeccakDevice.
func (d *keccakDevice) KeccakF1600(req *zkaccel.KeccakPermuteRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: keccak-f1600: nil request")
	}
	if d.f.KeccakF1600 == nil {
		return unsupported("keccak-f1600: %v runs no Keccak-f[1600]", d)
	}
	return d.f.KeccakF1600(req)
}

// Merkle implements zkaccel.MerkleDevice.
func (d *keccakDevice) Merkle(req *zkaccel.MerkleRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: merkle: nil request")
	}
	if d.f.Merkle == nil {
		return unsupported("merkle %s: %v runs no Merkle trees", req.Hash, d)
	}
	return d.f.Merkle(req)
}
