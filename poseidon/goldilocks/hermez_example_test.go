package goldilocks_test

import (
	"fmt"

	field "github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// Hash the all-zero input (8 zero inputs, zero capacity): the known answer
// of go-iden3-crypto's goldenposeidon tests.
func ExampleHashHermez() {
	var in [8]field.Element
	var capacity [4]field.Element
	h, err := goldilocks.HashHermez(in, capacity)
	if err != nil {
		panic(err)
	}
	for _, e := range h {
		fmt.Printf("%#x\n", e.Uint64())
	}
	// Output:
	// 0x3c18a9786cb0b359
	// 0xc4055e3364a246c3
	// 0x7953db0ab48808f4
	// 0xc71603f33a1144ca
}

// Hash a batch of 12-element inputs (8 inputs, then 4 capacity elements),
// here the first 12 Fibonacci numbers and the all-ones input — known
// answers of 0xPolygonHermez/goldilocks' poseidon_full_seq test and of
// go-iden3-crypto's goldenposeidon tests — and ask where the batch ran.
func ExampleHashHermezBatch() {
	var fib, ones [12]field.Element
	fib[1].SetOne()
	for i := 2; i < 12; i++ {
		fib[i].Add(&fib[i-1], &fib[i-2])
	}
	for i := range ones {
		ones[i].SetOne()
	}
	var rep zkaccel.Report
	hs, err := goldilocks.HashHermezBatch([][12]field.Element{fib, ones}, poseidon.WithReport(&rep))
	if err != nil {
		panic(err)
	}
	for _, h := range hs {
		fmt.Printf("%#x %#x %#x %#x\n", h[0].Uint64(), h[1].Uint64(), h[2].Uint64(), h[3].Uint64())
	}
	fmt.Println(rep.Op, "n =", rep.N, "fallback:", rep.Fallback)
	// Output:
	// 0x3095570037f4605d 0x3d561b5ef1bc8b58 0x8129db5ec75c3226 0x8ec2b67afb6b87ed
	// 0xe3fd1ad5743c4d77 0xb94b3adc599d5630 0x9783d643dd45102 0xa89f8f921605bbc8
	// poseidon hermez goldilocks n = 2 fallback: false
}

// Apply the bare permutation to the all-zero state: its first 4 elements
// are the hash of HashHermez's example; the other 8 are the rest of the
// state (0xPolygonHermez/goldilocks' hash_full_result).
func ExamplePermuteHermez() {
	var s [12]field.Element
	goldilocks.PermuteHermez(&s)
	fmt.Printf("%#x … %#x\n", s[0].Uint64(), s[11].Uint64())
	// Output: 0x3c18a9786cb0b359 … 0x1792b1c4342109d7
}
