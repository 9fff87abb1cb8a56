// Package inputs draws the seeded pseudo-random inputs that tests,
// conformance checks and benchmarks share: field elements and curve points
// in gnark-crypto's types. The same seed always gives the same inputs.
package inputs

import (
	"math/rand"

	bls377 "github.com/consensys/gnark-crypto/ecc/bls12-377"
	fr377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	bls381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	fr381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel/internal/parallel"
)

// element is the part of a gnark-crypto field element's method set used here.
type element[E any] interface {
	*E
	SetBytes(b []byte) *E
}

// BlockLen is the size of the blocks that large draws are split into.
// Drawing 2^24 inputs one after another took about 25 s on two cores (the
// points of an MSM and its scalars), and a benchmark draws them again for
// each run of zkaccel bench; so a draw of more than BlockLen items takes
// one seed from rng for each block of BlockLen items, in order, and draws
// the blocks from sources of those seeds on every core. The inputs depend
// on the seed only, not on the number of cores. A draw of at most
// BlockLen items takes rng itself, one item after another, as every draw
// did before the split: small inputs are what they were.
const BlockLen = 1 << 16

// blocks calls fill(src, start, end) once for each block of [0, n): the
// whole range with rng where n <= BlockLen, else each block of BlockLen
// items (the last one shorter) with a source of its own seed, drawn
// from rng, in parallel.
func blocks(rng *rand.Rand, n int, fill func(src *rand.Rand, start, end int)) {
	if n <= BlockLen {
		fill(rng, 0, n)
		return
	}
	seeds := make([]int64, (n+BlockLen-1)/BlockLen)
	for i := range seeds {
		seeds[i] = rng.Int63()
	}
	parallel.Execute(len(seeds), 0, 1, func(first, last int) {
		for b := first; b < last; b++ {
			fill(NewRand(seeds[b]), b*BlockLen, min(n, (b+1)*BlockLen))
		}
	})
}

// Elements returns n field elements drawn from rng: 64 random bytes each,
// reduced modulo the field's prime, so every residue can appear (in
// blocks above BlockLen elements).
func Elements[E any, PE element[E]](rng *rand.Rand, n int) []E {
	out := make([]E, n)
	blocks(rng, n, func(src *rand.Rand, start, end int) {
		var buf [64]byte
		for i := start; i < end; i++ {
			src.Read(buf[:])
			PE(&out[i]).SetBytes(buf[:])
		}
	})
	return out
}

// Bytes fills b with bytes drawn from rng (in blocks above BlockLen
// bytes).
func Bytes(rng *rand.Rand, b []byte) {
	blocks(rng, len(b), func(src *rand.Rand, start, end int) {
		src.Read(b[start:end])
	})
}

// NewRand returns a math/rand source for seed.
func NewRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

// Random points: each is the group generator times a random scalar, so the
// points are independent and uniformly distributed in the prime-order group.

// BN254G1 returns n random BN254 G1 points.
func BN254G1(rng *rand.Rand, n int) []bn254.G1Affine {
	_, _, g, _ := bn254.Generators()
	return bn254.BatchScalarMultiplicationG1(&g, Elements[frbn.Element](rng, n))
}

// BN254G2 returns n random BN254 G2 points.
func BN254G2(rng *rand.Rand, n int) []bn254.G2Affine {
	_, _, _, g := bn254.Generators()
	return bn254.BatchScalarMultiplicationG2(&g, Elements[frbn.Element](rng, n))
}

// BLS12381G1 returns n random BLS12-381 G1 points.
func BLS12381G1(rng *rand.Rand, n int) []bls381.G1Affine {
	_, _, g, _ := bls381.Generators()
	return bls381.BatchScalarMultiplicationG1(&g, Elements[fr381.Element](rng, n))
}

// BLS12381G2 returns n random BLS12-381 G2 points.
func BLS12381G2(rng *rand.Rand, n int) []bls381.G2Affine {
	_, _, _, g := bls381.Generators()
	return bls381.BatchScalarMultiplicationG2(&g, Elements[fr381.Element](rng, n))
}

// BLS12377G1 returns n random BLS12-377 G1 points.
func BLS12377G1(rng *rand.Rand, n int) []bls377.G1Affine {
	_, _, g, _ := bls377.Generators()
	return bls377.BatchScalarMultiplicationG1(&g, Elements[fr377.Element](rng, n))
}

// BLS12377G2 returns n random BLS12-377 G2 points.
func BLS12377G2(rng *rand.Rand, n int) []bls377.G2Affine {
	_, _, _, g := bls377.Generators()
	return bls377.BatchScalarMultiplicationG2(&g, Elements[fr377.Element](rng, n))
}
