package zkaccel

import (
	"errors"
	"fmt"
)

// ErrBadRequest marks a malformed device request (wrong sizes, offsets,
// options): a bug in the caller, never a reason to fall back to the CPU.
var ErrBadRequest = errors.New("malformed request")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadRequest, fmt.Sprintf(format, args...))
}

// checkNbTasks checks a request's NbTasks as the CPU devices do: a device
// may ignore it, but a value out of range is a malformed request.
func checkNbTasks(n int) error {
	if n < 0 || n > 1024 {
		return badRequest("NbTasks = %d, out of range [0, 1024]", n)
	}
	return nil
}

// Check reports whether r is well formed: N ≥ 1 messages, N+1
// non-decreasing offsets from 0 to len(Data), N × 32 bytes of Out, NbTasks
// in range. The error wraps [ErrBadRequest].
func (r *KeccakRequest) Check() error {
	if r == nil {
		return badRequest("nil request")
	}
	n := r.N
	switch {
	case n < 1:
		return badRequest("N = %d, want ≥ 1", n)
	case len(r.Offsets) != n+1:
		return badRequest("%d offsets for N = %d messages, want N+1", len(r.Offsets), n)
	case r.Offsets[0] != 0:
		return badRequest("Offsets[0] = %d, want 0", r.Offsets[0])
	case r.Offsets[n] != len(r.Data):
		return badRequest("Offsets[N] = %d, but the data hold %d bytes", r.Offsets[n], len(r.Data))
	case len(r.Out) != 32*n:
		return badRequest("out: %d bytes, want %d (N × 32)", len(r.Out), 32*n)
	}
	for i := range n {
		if r.Offsets[i+1] < r.Offsets[i] {
			return badRequest("Offsets[%d] = %d < Offsets[%d] = %d", i+1, r.Offsets[i+1], i, r.Offsets[i])
		}
	}
	return checkNbTasks(r.NbTasks)
}

// Check reports whether r is well formed: N ≥ 1 states of 200 bytes,
// NbTasks in range. The error wraps [ErrBadRequest].
func (r *KeccakPermuteRequest) Check() error {
	if r == nil {
		return badRequest("nil request")
	}
	switch {
	case r.N < 1:
		return badRequest("N = %d, want ≥ 1", r.N)
	case len(r.States) != 200*r.N:
		return badRequest("states: %d bytes, want %d (N × 200)", len(r.States), 200*r.N)
	}
	return checkNbTasks(r.NbTasks)
}

// CheckKeccak reports whether r is a well-formed Keccak-256 Merkle
// request: 32-byte nodes, a power of two of leaves (the front ends pad), an
// Out of (N−1) × 32 bytes, no parameters. The error wraps [ErrBadRequest].
func (r *MerkleRequest) CheckKeccak() error {
	if r == nil {
		return badRequest("nil request")
	}
	n := r.N
	switch {
	case r.Hash != MerkleKeccak256:
		return badRequest("hash %q, want %q", r.Hash, MerkleKeccak256)
	case r.NodeSize != 32:
		return badRequest("NodeSize = %d, want 32", r.NodeSize)
	case n < 1 || n&(n-1) != 0:
		return badRequest("N = %d leaves, want a power of two (the front end pads)", n)
	case len(r.Leaves) != 32*n:
		return badRequest("leaves: %d bytes, want %d (N × 32)", len(r.Leaves), 32*n)
	case len(r.Out) != 32*(n-1):
		return badRequest("out: %d bytes, want %d ((N−1) × 32)", len(r.Out), 32*(n-1))
	case len(r.Params) != 0:
		return badRequest("%d bytes of parameters, want none", len(r.Params))
	}
	return checkNbTasks(r.NbTasks)
}
