package bn254_test

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

func ExamplePermute2() {
	// gnark-crypto's width-3 instance: 8 full and 56 partial rounds.
	params := poseidon2.NewParameters(3, 8, 56)

	// A batch of two states, [0, 1, 2] and [3, 4, 5], one after the other.
	states := make([]fr.Element, 6)
	for i := range states {
		states[i].SetUint64(uint64(i))
	}
	var rep zkaccel.Report
	if err := bn254.Permute2(params, states, poseidon.WithReport(&rep)); err != nil {
		fmt.Println(err)
		return
	}

	// Each state is what gnark-crypto's permutation makes of it.
	want := make([]fr.Element, 3)
	for i := range want {
		want[i].SetUint64(uint64(i))
	}
	if err := poseidon2.NewPermutation(3, 8, 56).Permutation(want); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(states[0] == want[0] && states[1] == want[1] && states[2] == want[2])
	fmt.Printf("%s n=%d\n", rep.Op, rep.N)
	// Output:
	// true
	// poseidon2 bn254 n=2
}

func ExampleMerkleRootPoseidon2() {
	// gnark-crypto's 2-to-1 compression: width 2, 6 full and 50 partial
	// rounds (its default parameters).
	params := poseidon2.NewParameters(2, 6, 50)

	leaves := make([]fr.Element, 3) // padded with a zero leaf to 4
	for i := range leaves {
		leaves[i].SetUint64(uint64(i + 1))
	}
	root, err := bn254.MerkleRootPoseidon2(params, leaves)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The same root, one gnark-crypto Compress at a time.
	perm := poseidon2.NewPermutation(2, 6, 50)
	compress := func(l, r fr.Element) fr.Element {
		b, _ := perm.Compress(l.Marshal(), r.Marshal())
		var p fr.Element
		_ = p.SetBytesCanonical(b)
		return p
	}
	want := compress(compress(leaves[0], leaves[1]), compress(leaves[2], fr.Element{}))
	fmt.Println(root == want)
	// Output:
	// true
}

func ExampleMerkleTreePoseidon2() {
	params := poseidon2.NewParameters(2, 6, 50)
	leaves := make([]fr.Element, 5)
	for i := range leaves {
		leaves[i].SetUint64(uint64(i))
	}
	layers, err := bn254.MerkleTreePoseidon2(params, leaves)
	if err != nil {
		fmt.Println(err)
		return
	}
	for k, l := range layers {
		fmt.Printf("layer %d: %d nodes\n", k, len(l))
	}
	// Output:
	// layer 0: 8 nodes
	// layer 1: 4 nodes
	// layer 2: 2 nodes
	// layer 3: 1 nodes
}
