package bn254_test

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

func ExamplePoseidon() {
	var a, b fr.Element
	a.SetUint64(1)
	b.SetUint64(2)

	// circomlib's Poseidon(2) template, circomlibjs's poseidon([1, 2]).
	h, err := bn254.Poseidon(a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.String())
	// Output:
	// 7853200120776062878684798364095072458815029376092732009249414926327459813530
}

func ExamplePoseidonBatch() {
	// Every input of a batch has the same length: here 2 elements.
	inputs := [][]fr.Element{make([]fr.Element, 2), make([]fr.Element, 2)}
	inputs[0][0].SetUint64(1)
	inputs[0][1].SetUint64(2)
	inputs[1][0].SetUint64(3)
	inputs[1][1].SetUint64(4)

	var rep zkaccel.Report
	hashes, err := bn254.PoseidonBatch(inputs, poseidon.WithDevice(zkaccel.HostCPU()), poseidon.WithReport(&rep))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range hashes {
		fmt.Println(h.String())
	}
	fmt.Printf("%s n=%d ran on %v, fallback %v\n", rep.Op, rep.N, rep.Ran, rep.Fallback)
	// Output:
	// 7853200120776062878684798364095072458815029376092732009249414926327459813530
	// 14763215145315200506921711489642608356394854266165572616578112107564877678998
	// poseidon circom bn254 n=2 ran on cpu:0, fallback false
}

func ExampleMerkleRootCircom() {
	leaves := make([]fr.Element, 2)
	leaves[0].SetUint64(1)
	leaves[1].SetUint64(2)

	// The parent of two leaves is Poseidon(left, right).
	root, err := bn254.MerkleRootCircom(leaves)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(root.String())
	// Output:
	// 7853200120776062878684798364095072458815029376092732009249414926327459813530
}

func ExampleMerkleTreeCircom() {
	// Three leaves are padded with 0 to four.
	leaves := make([]fr.Element, 3)
	for i := range leaves {
		leaves[i].SetUint64(uint64(i + 1))
	}
	layers, err := bn254.MerkleTreeCircom(leaves)
	if err != nil {
		fmt.Println(err)
		return
	}
	for k, l := range layers {
		fmt.Printf("layer %d: %d nodes\n", k, len(l))
	}
	left, _ := bn254.Poseidon(leaves[0], leaves[1])
	fmt.Println(layers[1][0].Equal(&left))
	// Output:
	// layer 0: 4 nodes
	// layer 1: 2 nodes
	// layer 2: 1 nodes
	// true
}
