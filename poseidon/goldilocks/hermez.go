package goldilocks

import (
	"errors"
	"fmt"
	"sync"

	field "github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
	"github.com/zkaccel/zkaccel/internal/parallel"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
)

// hermezOp names the operation in errors and reports.
const hermezOp = "poseidon hermez goldilocks"

// hermezMinChunk is the fewest hashes a goroutine of a batch's CPU path
// takes (a hash costs a few microseconds; starting a goroutine, about one).
const hermezMinChunk = 64

// HashHermez returns Polygon Hermez's Poseidon hash of 8 input elements and
// 4 capacity elements: the first 4 elements of [PermuteHermez] applied to
// the state (in[0], …, in[7], capacity[0], …, capacity[3]). This is the
// hash of 0xPolygonHermez/goldilocks' PoseidonGoldilocks (its 4-element
// output) and of go-iden3-crypto's goldenposeidon.Hash(in, capacity),
// whose signature it mirrors with gnark-crypto's elements in place of
// canonical uint64 values (convert with goldilocks.Element.SetUint64 and
// Uint64).
//
// It runs as a batch of one (see [HashHermezBatch]) on the device of
// poseidon.WithDevice, else on zkaccel.Default() — the CPU unless
// ZKACCEL_DEVICE names another device — and falls back to the CPU where that
// device lacks the operation. It returns an error for an invalid option, an
// unreduced element (a word ≥ p, which no gnark-crypto operation produces),
// or a device failure. Not constant-time.
func HashHermez(in [8]field.Element, capacity [4]field.Element, opts ...poseidon.Option) ([4]field.Element, error) {
	var state [1][hermezWidth]field.Element
	copy(state[0][:hermezRate], in[:])
	copy(state[0][hermezRate:], capacity[:])
	var out [1][hermezCapacity]field.Element
	err := hashHermez(out[:], state[:], opts, func(_, j int) string {
		if j < hermezRate {
			return fmt.Sprintf("in[%d]", j)
		}
		return fmt.Sprintf("capacity[%d]", j-hermezRate)
	})
	if err != nil {
		return [4]field.Element{}, err
	}
	return out[0], nil
}

// HashHermezBatch returns the Hermez Poseidon hash of every input: out[i]
// is the first 4 elements of [PermuteHermez] applied to inputs[i], which
// holds 8 input elements followed by 4 capacity elements — the 12-element
// input of 0xPolygonHermez/goldilocks' PoseidonGoldilocks hash, so that
// HashHermezBatch([][12]{append(in, capacity)}) equals HashHermez(in,
// capacity). The caller's inputs are not modified; a device reads them in
// place, without a copy.
//
// The batch runs on the device of poseidon.WithDevice, else on
// zkaccel.Default(), and falls back to the CPU where that device lacks the
// operation; the CPU splits it over poseidon.WithNbTasks goroutines (by
// default one per CPU). An empty batch returns an empty result. It returns
// an error for an invalid option, an unreduced element (a word ≥ p), or a
// device failure. Not constant-time.
func HashHermezBatch(inputs [][12]field.Element, opts ...poseidon.Option) ([][4]field.Element, error) {
	out := make([][hermezCapacity]field.Element, len(inputs))
	err := hashHermez(out, inputs, opts, func(i, j int) string { return fmt.Sprintf("inputs[%d][%d]", i, j) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hashHermez hashes inputs into out (of the same length) on the device the
// options choose; name(i, j) names element j of inputs[i] in errors.
func hashHermez(out [][hermezCapacity]field.Element, inputs [][hermezWidth]field.Element, opts []poseidon.Option, name func(i, j int) string) error {
	cfg := dispatch.Apply(opts)
	for i := range inputs {
		for j := range inputs[i] {
			if w := inputs[i][j][0]; w >= hermezModulus {
				return fmt.Errorf("zkaccel: %s: %s has word %#x ≥ p: not a reduced goldilocks.Element", hermezOp, name(i, j), w)
			}
		}
	}
	n, nbTasks := len(inputs), cfg.NbTasks
	cpu := func() error {
		if err := hermezSelfTest(); err != nil {
			return err
		}
		parallel.Execute(n, nbTasks, hermezMinChunk, func(start, end int) {
			for i := start; i < end; i++ {
				s := inputs[i]
				PermuteHermez(&s)
				out[i] = [hermezCapacity]field.Element(s[:hermezCapacity])
			}
		})
		return nil
	}
	accel := func(dev zkaccel.Device) error {
		if n == 0 {
			return cpu() // nothing for a device to do
		}
		pd, ok := dev.(zkaccel.PoseidonDevice)
		if !ok {
			return dispatch.Unsupported(dev, hermezOp)
		}
		raw := rawbytes.Of(out)
		rawbytes.Poison(raw)
		req := zkaccel.PoseidonRequest{
			Variant: zkaccel.PoseidonHermez, Field: zkaccel.FieldGoldilocks, Width: hermezWidth,
			N: n, In: rawbytes.Of(inputs), InLen: hermezWidth,
			Out: raw, OutLen: hermezCapacity,
			NbTasks: nbTasks,
		}
		return pd.Poseidon(&req)
	}
	return dispatch.Run(&cfg, hermezOp, n, accel, cpu)
}

// hermezSelfTest checks PermuteHermez against a known answer once, before
// the first CPU hash (crypto/internal/fips140-style), and returns the same
// result on every later call.
var hermezSelfTest = sync.OnceValue(func() error {
	// 0xPolygonHermez/goldilocks tests/tests.cpp, poseidon_full_seq: the
	// first 12 Fibonacci numbers in (see
	// testdata/poseidon/hermez_goldilocks.txt).
	want := [hermezCapacity]uint64{0x3095570037F4605D, 0x3D561B5EF1BC8B58, 0x8129DB5EC75C3226, 0x8EC2B67AFB6B87ED}
	var s [hermezWidth]field.Element
	s[1].SetOne()
	for i := 2; i < hermezWidth; i++ {
		s[i].Add(&s[i-1], &s[i-2])
	}
	PermuteHermez(&s)
	for i, w := range want {
		if s[i].Uint64() != w {
			return errors.New("known-answer self-test of the Hermez Poseidon permutation failed")
		}
	}
	return nil
})
