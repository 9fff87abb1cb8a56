package fakedev

import (
	"fmt"

	field "github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/parallel"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// LoopbackPoseidonHermez runs a Polygon Hermez Poseidon request
// (req.Variant == zkaccel.PoseidonHermez) as a device would: it checks the
// request's shape (Goldilocks, width 12, 12 elements in and 4 out per hash,
// buffer sizes), copies req.In into fresh goldilocks elements, checks that
// each is reduced (a wrong layout rarely gives only words < p), permutes each
// state with goldilocks.PermuteHermez and writes state[0..3] of each into
// req.Out. Another variant or field is reported as zkaccel.ErrUnsupported; a
// malformed request is an error.
func LoopbackPoseidonHermez(req *zkaccel.PoseidonRequest) error {
	if req.Variant != zkaccel.PoseidonHermez || req.Field != zkaccel.FieldGoldilocks {
		return unsupported("poseidon %s %s: not the Hermez Goldilocks variant", req.Variant, req.Field)
	}
	if err := hermezLoopback(req); err != nil {
		return fmt.Errorf("zkaccel/fake: poseidon hermez goldilocks: %w", err)
	}
	return nil
}

// hermezLoopback computes a Hermez request whose variant and field are
// already checked.
func hermezLoopback(req *zkaccel.PoseidonRequest) error {
	const width, out = 12, 4
	switch {
	case req.Width != width:
		return fmt.Errorf("Width = %d, want %d", req.Width, width)
	case req.InLen != width:
		return fmt.Errorf("InLen = %d, want %d (8 inputs, then 4 capacity elements)", req.InLen, width)
	case req.OutLen != out:
		return fmt.Errorf("OutLen = %d, want %d", req.OutLen, out)
	case req.N < 1:
		return fmt.Errorf("N = %d, want ≥ 1", req.N)
	case req.NbTasks < 0 || req.NbTasks > 1024:
		return fmt.Errorf("NbTasks = %d, out of range [0, 1024]", req.NbTasks)
	}
	states, err := decode[[width]field.Element]("In", req.In, req.N)
	if err != nil {
		return err
	}
	res := make([][out]field.Element, req.N)
	if dst := rawbytes.Of(res); len(req.Out) != len(dst) {
		return fmt.Errorf("Out: %d bytes, want %d (%d × %d elements)", len(req.Out), len(dst), req.N, out)
	}
	const p = 0xFFFFFFFF00000001
	for i := range states {
		for j, e := range states[i] {
			if e[0] >= p {
				return fmt.Errorf("In: hash %d, element %d has word %#x ≥ p: not a reduced goldilocks.Element", i, j, e[0])
			}
		}
	}
	parallel.Execute(req.N, req.NbTasks, 64, func(start, end int) {
		for i := start; i < end; i++ {
			goldilocks.PermuteHermez(&states[i])
			res[i] = [out]field.Element(states[i][:out])
		}
	})
	copy(req.Out, rawbytes.Of(res))
	return nil
}
