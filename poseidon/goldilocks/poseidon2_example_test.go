package goldilocks_test

import (
	"fmt"
	"slices"

	field "github.com/consensys/gnark-crypto/field/goldilocks"
	"github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

func ExamplePermute2() {
	// gnark-crypto's default width-8 instance: 6 full and 17 partial rounds.
	params := poseidon2.NewParameters(8, 6, 17)

	// A batch of 1000 states of 8 elements, one after the other.
	states := make([]field.Element, 1000*8)
	for i := range states {
		states[i].SetUint64(uint64(i))
	}
	want := slices.Clone(states)

	var rep zkaccel.Report
	if err := goldilocks.Permute2(params, states, poseidon.WithReport(&rep)); err != nil {
		fmt.Println(err)
		return
	}

	// Each state is what gnark-crypto's permutation makes of it.
	perm := poseidon2.NewPermutation(8, 6, 17)
	for i := 0; i < len(want); i += 8 {
		if err := perm.Permutation(want[i : i+8]); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(slices.Equal(states, want))
	fmt.Printf("%s n=%d\n", rep.Op, rep.N)
	// Output:
	// true
	// poseidon2 goldilocks n=1000
}
