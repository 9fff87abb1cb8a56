package babybear

import (
	"fmt"
	"slices"
	"testing"

	field "github.com/consensys/gnark-crypto/field/babybear"
	"github.com/consensys/gnark-crypto/field/babybear/poseidon2"
	"github.com/consensys/gnark-crypto/utils/cpu"

	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// p2TestInstances are gnark-crypto's default instances, a seeded one and
// one with an odd number of full rounds, as (t, rf, rp, seed).
var p2TestInstances = []struct {
	t, rf, rp int
	seed      string
}{{16, 8, 13, ""}, {24, 8, 21, ""}, {16, 3, 5, "odd"}, {24, 6, 19, "seeded"}}

// TestPoseidon2Lanes checks the batched kernel against the one-state
// permutation and gnark-crypto's, for every number of states in a block,
// on states with 0, 1 and p−1 mixed in; and the batch driver with the
// batched kernel on and off.
func TestPoseidon2Lanes(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	for _, w := range p2TestInstances {
		t.Run(fmt.Sprintf("t=%d/rf=%d/rp=%d", w.t, w.rf, w.rp), func(t *testing.T) {
			params := poseidon2.NewParametersWithSeed(w.t, w.rf, w.rp, w.seed)
			ref := poseidon2.NewPermutationWithSeed(w.t, w.rf, w.rp, w.seed)
			if w.seed == "" {
				params, ref = poseidon2.NewParameters(w.t, w.rf, w.rp), poseidon2.NewPermutation(w.t, w.rf, w.rp)
			}
			in, err := p2Compile(params)
			if err != nil {
				t.Fatal(err)
			}
			buf := in.newLanes()
			block := p2Block(w.t)
			for _, m := range []int{1, 2, 15, 16, 17, 33, block - 1, block} {
				states := inputs.Elements[field.Element](rng, m*w.t)
				if m > 1 {
					states[1].SetZero()
					states[2].SetOne()
					states[3].SetOne()
					states[3].Neg(&states[3])
				}
				want := slices.Clone(states)
				one := slices.Clone(states)
				for i := 0; i < m; i++ {
					if err := ref.Permutation(want[i*w.t : (i+1)*w.t]); err != nil {
						t.Fatal(err)
					}
					in.permute(one[i*w.t : (i+1)*w.t])
				}
				in.permuteLanes(states, buf)
				for i := range want {
					if !one[i].Equal(&want[i]) {
						t.Fatalf("m=%d: one-state permutation: element %d differs", m, i)
					}
					if !states[i].Equal(&want[i]) {
						t.Fatalf("m=%d: batched kernel: element %d differs", m, i)
					}
				}
			}

			defer func(v bool) { p2Lanes = v }(p2Lanes)
			n := 3*block + 5
			states := inputs.Elements[field.Element](rng, n*w.t)
			want := slices.Clone(states)
			for i := 0; i < n; i++ {
				if err := ref.Permutation(want[i*w.t : (i+1)*w.t]); err != nil {
					t.Fatal(err)
				}
			}
			defer func(v bool) { p2UseGnark24 = v }(p2UseGnark24)
			for _, gnark := range []bool{false, true} {
				for _, lanes := range []bool{false, true} {
					for _, tasks := range []int{1, 3} {
						p2Lanes, p2UseGnark24 = lanes, gnark
						got := slices.Clone(states)
						in.permuteBatch(got, tasks)
						if !slices.Equal(got, want) {
							t.Fatalf("permuteBatch (gnark-crypto's 16x24 %v, batched kernel %v, %d tasks) differs", gnark, lanes, tasks)
						}
					}
				}
			}
		})
	}
}

// TestPoseidon2Gnark24 checks when batches run on gnark-crypto's
// Permutation16x24: for its default width-24 instance only, where it has
// AVX-512, and never for other round keys with the same round counts.
func TestPoseidon2Gnark24(t *testing.T) {
	def, err := p2Compile(poseidon2.NewParameters(24, 8, 21))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := def.gnark24() != nil, cpu.SupportAVX512; got != want {
		t.Fatalf("default instance: runs on Permutation16x24: %v, want %v (AVX-512)", got, want)
	}
	for _, p := range []*poseidon2.Parameters{
		poseidon2.NewParametersWithSeed(24, 8, 21, "other keys"),
		poseidon2.NewParameters(24, 8, 21+1),
		poseidon2.NewParameters(16, 8, 21),
	} {
		in, err := p2Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		if in.gnark24() != nil {
			t.Fatalf("%v would run on gnark-crypto's default instance", p)
		}
	}
}
