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
	return d.errorf(op, d.keccak256Chunks(op, req))
}

// keccak256Chunks runs a checked request in as many calls as the device's
// memory needs (see batchBudget): messages lo … hi−1 a call, their bytes,
// offsets and digests within the budget. A message too large for it is
// zkaccel.ErrUnsupported.
func (d *Device) keccak256Chunks(op string, req *zkaccel.KeccakRequest) error {
	mem, maxAlloc := d.batchBudget()
	fits := func(lo, hi int) bool {
		data := uint64(req.Offsets[hi] - req.Offsets[lo])
		offs, out := 8*uint64(hi-lo+1), 32*uint64(hi-lo)
		return (mem == 0 || data+offs+out <= mem) && (maxAlloc == 0 || max(data, offs, out) <= maxAlloc)
	}
	if fits(0, req.N) {
		return d.keccak256Run(req)
	}
	for lo := 0; lo < req.N; {
		hi := lo
		for hi < req.N && fits(lo, hi+1) {
			hi++
		}
		if hi == lo {
			return d.unsupported(op, "message %d's %d bytes exceed the device's memory left for a batch (%s) or its largest buffer (%s)",
				lo, req.Offsets[lo+1]-req.Offsets[lo], bytesStr(mem), bytesStr(maxAlloc))
		}
		sub := zkaccel.KeccakRequest{N: hi - lo, Data: req.Data[req.Offsets[lo]:req.Offsets[hi]], Offsets: make([]int, hi-lo+1), Out: req.Out[32*lo : 32*hi], NbTasks: req.NbTasks}
		for i := range sub.Offsets {
			sub.Offsets[i] = req.Offsets[lo+i] - req.Offsets[lo]
		}
		if err := d.keccak256Run(&sub); err != nil {
			return err
		}
		lo = hi
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
	if err := req.Check(); err != nil {
		return d.errorf(op, err)
	}
	if req.N > maxBatch {
		return d.unsupported(op, "%d states in one batch (at most %d)", req.N, maxBatch)
	}
	return d.errorf(op, d.inChunks(op, req.N, 200, 200, func(lo, hi int) error {
		sub := *req
		sub.N, sub.States = hi-lo, req.States[200*lo:200*hi]
		return d.keccakF1600Run(&sub)
	}))
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
