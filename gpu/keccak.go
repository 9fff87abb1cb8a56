package gpu

import (
	"encoding/binary"
	"fmt"

	"github.com/zkaccel/zkaccel"
)

// Keccak on the device (src/keccak.cl): Keccak-f[1600] batches, one work
// item per state; Keccak-256 batches of variable-length messages, one work
// item per message; and the layers of Keccak-256 Merkle trees (merkle.go).

// keccakKernels are the entry points of the Keccak program.
type keccakKernels struct {
	f1600, sum256, merkle Kernel
}

// keccakProgram compiles (once) and returns the Keccak program. The caller
// holds d.mu.
func (d *Device) keccakProgram() (*keccakKernels, error) {
	p, err := d.program("keccak")
	if err != nil {
		return nil, err
	}
	ks, err := kernels(p, "keccak_f1600_batch", "keccak256_batch", "keccak_merkle_layer")
	if err != nil {
		return nil, err
	}
	return &keccakKernels{f1600: ks[0], sum256: ks[1], merkle: ks[2]}, nil
}

// keccak256 runs a zkaccel.KeccakRequest: it checks the request as the CPU
// devices do (N ≥ 1 messages delimited by N+1 non-decreasing offsets from 0
// to len(Data), 32 bytes out per message), uploads the data and the offsets,
// hashes every message in one launch and downloads the digests into Out.
func (d *Device) keccak256(req *zkaccel.KeccakRequest) error {
	const op = "keccak256"
	if req == nil {
		return d.errorf(op, badRequest("nil request"))
	}
	if err := keccak256Check(req); err != nil {
		return d.errorf(op, err)
	}
	if req.N > maxBatch {
		return d.unsupported(op, "%d messages in one batch (at most %d)", req.N, maxBatch)
	}
	return d.errorf(op, d.keccak256Run(req))
}

// keccak256Check checks a Keccak-256 request's shape.
func keccak256Check(req *zkaccel.KeccakRequest) error {
	n := req.N
	switch {
	case n < 1:
		return badRequest("N = %d, want ≥ 1", n)
	case len(req.Offsets) != n+1:
		return badRequest("%d offsets for N = %d messages, want N+1", len(req.Offsets), n)
	case req.Offsets[0] != 0:
		return badRequest("Offsets[0] = %d, want 0", req.Offsets[0])
	case req.Offsets[n] != len(req.Data):
		return badRequest("Offsets[N] = %d, but the data hold %d bytes", req.Offsets[n], len(req.Data))
	case len(req.Out) != 32*n:
		return badRequest("out: %d bytes, want %d (N × 32)", len(req.Out), 32*n)
	}
	if err := checkNbTasks(req.NbTasks); err != nil {
		return badRequest("%v", err)
	}
	for i := range n {
		if req.Offsets[i+1] < req.Offsets[i] {
			return badRequest("Offsets[%d] = %d < Offsets[%d] = %d", i+1, req.Offsets[i+1], i, req.Offsets[i])
		}
	}
	return nil
}

func (d *Device) keccak256Run(req *zkaccel.KeccakRequest) error {
	k, err := d.keccakProgram()
	if err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	data, err := s.upload(req.Data)
	if err != nil {
		return err
	}
	offs := make([]byte, 8*len(req.Offsets))
	for i, o := range req.Offsets {
		binary.LittleEndian.PutUint64(offs[8*i:], uint64(o))
	}
	offBuf, err := s.upload(offs)
	if err != nil {
		return err
	}
	out, err := s.alloc(len(req.Out))
	if err != nil {
		return err
	}
	if err := d.launch1D(k.sum256, req.N, data, offBuf, out, uint32(req.N)); err != nil {
		return err
	}
	if err := d.rt.Read(req.Out, out, 0); err != nil {
		return fmt.Errorf("reading the digests: %w", err)
	}
	return nil
}

// keccakF1600 runs a zkaccel.KeccakPermuteRequest: N ≥ 1 states of 200
// bytes (25 little-endian lanes), permuted in place, one work item each.
func (d *Device) keccakF1600(req *zkaccel.KeccakPermuteRequest) error {
	const op = "keccak-f1600"
	if req == nil {
		return d.errorf(op, badRequest("nil request"))
	}
	switch {
	case req.N < 1:
		return d.errorf(op, badRequest("N = %d, want ≥ 1", req.N))
	case len(req.States) != 200*req.N:
		return d.errorf(op, badRequest("states: %d bytes, want %d (N × 200)", len(req.States), 200*req.N))
	}
	if err := checkNbTasks(req.NbTasks); err != nil {
		return d.errorf(op, badRequest("%v", err))
	}
	if req.N > maxBatch {
		return d.unsupported(op, "%d states in one batch (at most %d)", req.N, maxBatch)
	}
	return d.errorf(op, d.keccakF1600Run(req))
}

func (d *Device) keccakF1600Run(req *zkaccel.KeccakPermuteRequest) error {
	k, err := d.keccakProgram()
	if err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	states, err := s.upload(req.States)
	if err != nil {
		return err
	}
	if err := d.launch1D(k.f1600, req.N, states, uint32(req.N)); err != nil {
		return err
	}
	if err := d.rt.Read(req.States, states, 0); err != nil {
		return fmt.Errorf("reading the states: %w", err)
	}
	return nil
}
