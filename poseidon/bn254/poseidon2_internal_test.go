package bn254

import (
	"fmt"
	"slices"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// p2TestWidths are gnark-crypto's BN254 Poseidon2 instances: each width
// with its default round counts.
var p2TestWidths = []struct{ t, rf, rp int }{{2, 6, 50}, {3, 8, 56}, {4, 8, 56}, {8, 8, 57}, {12, 8, 57}, {16, 8, 57}}

// p2OddInstance has an odd number of full rounds: the first ⌊rF/2⌋ come
// before the partial rounds.
var p2OddInstance = struct {
	t, rf, rp int
	seed      string
}{3, 5, 4, "odd"}

// TestPoseidon2OddFullRounds checks the split of an odd number of full
// rounds against gnark-crypto.
func TestPoseidon2OddFullRounds(t *testing.T) {
	w := p2OddInstance
	in, err := p2Compile(poseidon2.NewParametersWithSeed(w.t, w.rf, w.rp, w.seed))
	if err != nil {
		t.Fatal(err)
	}
	states := inputs.Elements[fr.Element](inputs.NewRand(devtest.Seed(t)), 20*w.t)
	want := slices.Clone(states)
	ref := poseidon2.NewPermutationWithSeed(w.t, w.rf, w.rp, w.seed)
	for i := 0; i < len(want); i += w.t {
		if err := ref.Permutation(want[i : i+w.t]); err != nil {
			t.Fatal(err)
		}
	}
	one := slices.Clone(states)
	for i := 0; i < len(one); i += w.t {
		in.permute(one[i : i+w.t])
	}
	in.permuteLanes(states, in.newLanes())
	if !slices.Equal(one, want) || !slices.Equal(states, want) {
		t.Fatal("odd full rounds: differs from gnark-crypto")
	}
}

// TestPoseidon2Lanes checks the batched kernel against the one-state
// permutation and gnark-crypto's, for every width and every number of
// states in a block, on states with 0, 1 and p−1 mixed in; and the batch
// driver with the batched kernel on and off.
func TestPoseidon2Lanes(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	for _, w := range p2TestWidths {
		t.Run(fmt.Sprintf("t=%d", w.t), func(t *testing.T) {
			params := poseidon2.NewParameters(w.t, w.rf, w.rp)
			in, err := p2Compile(params)
			if err != nil {
				t.Fatal(err)
			}
			ref := poseidon2.NewPermutation(w.t, w.rf, w.rp)
			buf := in.newLanes()
			for _, m := range []int{1, 2, 7, 8, 9, 17, p2Block(w.t) - 1, p2Block(w.t)} {
				states := inputs.Elements[fr.Element](rng, m*w.t)
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
			n := 3*p2Block(w.t) + 5
			states := inputs.Elements[fr.Element](rng, n*w.t)
			want := slices.Clone(states)
			for i := 0; i < n; i++ {
				if err := ref.Permutation(want[i*w.t : (i+1)*w.t]); err != nil {
					t.Fatal(err)
				}
			}
			for _, lanes := range []bool{false, true} {
				for _, tasks := range []int{1, 3} {
					p2Lanes = lanes
					got := slices.Clone(states)
					in.permuteBatch(got, tasks)
					if !slices.Equal(got, want) {
						t.Fatalf("permuteBatch (batched kernel %v, %d tasks) differs", lanes, tasks)
					}
				}
			}
		})
	}
}
