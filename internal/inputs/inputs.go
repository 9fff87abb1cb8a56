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
)

// element is the part of a gnark-crypto field element's method set used here.
type element[E any] interface {
	*E
	SetBytes(b []byte) *E
}

// Elements returns n field elements drawn from rng: 64 random bytes each,
// reduced modulo the field's prime, so every residue can appear.
func Elements[E any, PE element[E]](rng *rand.Rand, n int) []E {
	out := make([]E, n)
	var buf [64]byte
	for i := range out {
		rng.Read(buf[:])
		PE(&out[i]).SetBytes(buf[:])
	}
	return out
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
