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
	if err := req.Check(); err != nil {
		return d.errorf(op, err)
	}
	if req.N > maxBatch {
		return d.unsupported(op, "%d messages in one batch (at most %d)", req.N, maxBatch)
	}
	return d.errorf(op, d.keccak256Run(req))
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
	if err := req.Check(); err != nil {
		return d.errorf(op, err)
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
