package koalabear_test

import (
	"fmt"
	"slices"

	field "github.com/consensys/gnark-crypto/field/koalabear"
	"github.com/consensys/gnark-crypto/field/koalabear/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/koalabear"
)

func ExamplePermute2() {
	// gnark-crypto's default width-16 instance: 6 full and 21 partial rounds.
	params := poseidon2.NewParameters(16, 6, 21)

	// A batch of 1000 states of 16 elements, one after the other.
	states := make([]field.Element, 1000*16)
	for i := range states {
		states[i].SetUint64(uint64(i))
	}
	want := slices.Clone(states)

	var rep zkaccel.Report
	if err := koalabear.Permute2(params, states, poseidon.WithReport(&rep)); err != nil {
		fmt.Println(err)
		return
	}

	// Each state is what gnark-crypto's permutation makes of it.
	perm := poseidon2.NewPermutation(16, 6, 21)
	for i := 0; i < len(want); i += 16 {
		if err := perm.Permutation(want[i : i+16]); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(slices.Equal(states, want))
	fmt.Printf("%s n=%d\n", rep.Op, rep.N)
	// Output:
	// true
	// poseidon2 koalabear n=1000
}
