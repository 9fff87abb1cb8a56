package goldilocks

import (
	"fmt"
	"slices"
	"testing"

	field "github.com/consensys/gnark-crypto/field/goldilocks"
	"github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"

	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// TestPoseidon2Batch checks the one-state permutation and the batch driver
// (with 1 and 3 tasks) against gnark-crypto's Permutation, for its default
// instances, a seeded one and one with an odd number of full rounds.
func TestPoseidon2Batch(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	for _, w := range []struct {
		t, rf, rp int
		seed      string
	}{{8, 6, 17, ""}, {12, 6, 17, ""}, {8, 3, 5, "odd"}, {12, 8, 22, "seeded"}} {
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
			const n = 200
			states := inputs.Elements[field.Element](rng, n*w.t)
			states[1].SetZero()
			states[2].SetOne()
			states[3].SetOne()
			states[3].Neg(&states[3])
			want, one := slices.Clone(states), slices.Clone(states)
			for i := 0; i < n; i++ {
				if err := ref.Permutation(want[i*w.t : (i+1)*w.t]); err != nil {
					t.Fatal(err)
				}
				in.permute(one[i*w.t : (i+1)*w.t])
			}
			if !slices.Equal(one, want) {
				t.Fatal("one-state permutation differs")
			}
			for _, tasks := range []int{1, 3} {
				got := slices.Clone(states)
				in.permuteBatch(got, tasks)
				if !slices.Equal(got, want) {
					t.Fatalf("permuteBatch (%d tasks) differs", tasks)
				}
			}
		})
	}
}
