package gpu

import (
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/zkaccel/zkaccel"
)

// Helpers shared by the hash operations (keccak.go, poseidon.go,
// poseidon2.go, merkle.go).

// maxBatch is the most hashes, states or nodes of one launch: kernels index
// their work items with 32-bit ids.
const maxBatch = 1<<31 - 1

// checkNbTasks checks a request's NbTasks as the CPU devices do: the
// device ignores it, but a value out of range is a malformed request.
func checkNbTasks(n int) error {
	if n < 0 || n > 1024 {
		return fmt.Errorf("NbTasks = %d, out of range [0, 1024]", n)
	}
	return nil
}

// badRequest wraps a description of what is malformed in a request.
func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...))
}

// unreduced returns the index of the first of the n elements of raw (in
// f's layout: little-endian words) whose value is not below the modulus, or
// −1 when all are reduced. A wrong layout rarely gives only reduced words:
// the CPU devices reject such requests, and so does this one.
func unreduced(f FieldInfo, raw []byte, n int) int {
	size := f.ElemSize()
	if f.LimbBits == 32 {
		p := uint32(f.Modulus.Uint64())
		for i := range n {
			if binary.LittleEndian.Uint32(raw[i*size:]) >= p {
				return i
			}
		}
		return -1
	}
	mod := modulusLimbs(f.Modulus, f.Limbs)
	for i := range n {
		e := raw[i*size : (i+1)*size]
		below := false
		for k := f.Limbs - 1; k >= 0; k-- {
			w := binary.LittleEndian.Uint64(e[8*k:])
			if w != mod[k] {
				below = w < mod[k]
				break
			}
		}
		if !below {
			return i
		}
	}
	return -1
}

// modulusLimbs returns the n low 64-bit words of p (or of any x ≥ 0),
// least significant first.
func modulusLimbs(p *big.Int, n int) []uint64 {
	out := make([]uint64, n)
	t := new(big.Int).Set(p)
	mask := new(big.Int).SetUint64(^uint64(0))
	for i := range out {
		out[i] = new(big.Int).And(t, mask).Uint64()
		t.Rsh(t, 64)
	}
	return out
}

// checkElems checks that raw holds exactly n reduced elements of f.
func checkElems(f FieldInfo, what string, raw []byte, n int) error {
	if want := n * f.ElemSize(); len(raw) != want {
		return badRequest("%s: %d bytes, want %d (%d × %d)", what, len(raw), want, n, f.ElemSize())
	}
	if i := unreduced(f, raw, n); i >= 0 {
		return badRequest("%s: element %d is not reduced (not below the modulus): not in gnark-crypto's Montgomery layout", what, i)
	}
	return nil
}

// isPow2 reports whether n ≥ 1 is a power of two.
func isPow2(n int) bool { return n >= 1 && n&(n-1) == 0 }

// fieldName names a field in errors ("bn254", "goldilocks").
func fieldName(f zkaccel.Field) string { return string(f) }

// launch1D runs k over n work items (the runtime picks the group size).
func (d *Device) launch1D(k Kernel, n int, args ...any) error {
	if n == 0 {
		return nil
	}
	return d.rt.Launch(k, n, 0, args...)
}

// batchBudget is the device memory that one call of a batch operation
// (hashes, permutations) plans for: half of the memory left (room), so
// that the driver's own allocations and the cached constants keep room,
// 0 where the runtime does not say; and the largest allocation, 0 for no
// limit.
func (d *Device) batchBudget() (mem, maxAlloc uint64) {
	return d.room() / 2, d.rt.MaxAlloc()
}

// inChunks runs a batch of n items of fixed size in calls over [lo, hi),
// as many items a call as fit batchBudget: each item holds perItem bytes
// of device buffers, at most bufItem of them in any one buffer. A batch
// that fits runs as one call; one where not even an item fits is
// zkaccel.ErrUnsupported, so that the caller computes it on the CPU. The
// caller holds d.mu.
func (d *Device) inChunks(op string, n int, perItem, bufItem uint64, run func(lo, hi int) error) error {
	k := uint64(n)
	mem, maxAlloc := d.batchBudget()
	if mem > 0 {
		k = min(k, mem/perItem)
	}
	if maxAlloc > 0 {
		k = min(k, maxAlloc/bufItem)
	}
	if k == 0 {
		return d.unsupported(op, "one item's %d bytes exceed the device's memory left for a batch (%s) or its largest buffer (%s)", perItem, bytesStr(mem), bytesStr(maxAlloc))
	}
	for lo := 0; lo < n; lo += int(k) {
		if err := run(lo, min(lo+int(k), n)); err != nil {
			return err
		}
	}
	return nil
}
