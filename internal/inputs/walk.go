package inputs

import (
	"math/rand"

	bls377 "github.com/consensys/gnark-crypto/ecc/bls12-377"
	bls381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bn254"
)

// Drawing n independent points costs a scalar multiplication each (about 35 s
// for 2^20 BN254 G1 points on two cores); benchmarks of large MSMs use a
// random walk instead: P₀ random, Pᵢ = Pᵢ₋₁ + Q with Q one of 64 random
// points picked by rng at each step. The points are distinct with
// overwhelming probability and carry no structure an MSM can exploit, at
// the cost of one addition each plus a batched conversion to affine.
// Above BlockLen points each block of BlockLen walks on its own, in
// parallel, from a random start of its own with the same 64 steps (see
// BlockLen): the walk of 2^24 BN254 G1 points took 14 s on one core.

const walkSteps = 64

type jacobian[J, A any] interface {
	*J
	FromAffine(a *A) *J
	AddMixed(a *A) *J
}

func walk[J, A any, PJ jacobian[J, A]](rng *rand.Rand, n int, random func(*rand.Rand, int) []A, toAffine func([]J) []A) []A {
	if n <= walkSteps {
		return random(rng, n)
	}
	// At most BlockLen points: the 64 steps and the start from rng, as
	// before the blocks.
	steps := random(rng, walkSteps+1)
	run := func(src *rand.Rand, start *A, jac []J) {
		PJ(&jac[0]).FromAffine(start)
		for i := 1; i < len(jac); i++ {
			jac[i] = jac[i-1]
			PJ(&jac[i]).AddMixed(&steps[src.Intn(walkSteps)])
		}
	}
	if n <= BlockLen {
		jac := make([]J, n)
		run(rng, &steps[walkSteps], jac)
		return toAffine(jac)
	}
	out := make([]A, n)
	blocks(rng, n, func(src *rand.Rand, start, end int) {
		jac := make([]J, end-start)
		run(src, &random(src, 1)[0], jac)
		copy(out[start:end], toAffine(jac))
	})
	return out
}

func eachToAffine[J, A any](from func(*A, *J)) func([]J) []A {
	return func(js []J) []A {
		out := make([]A, len(js))
		for i := range js {
			from(&out[i], &js[i])
		}
		return out
	}
}

// WalkBN254G1 returns n BN254 G1 points of a random walk (see above).
func WalkBN254G1(rng *rand.Rand, n int) []bn254.G1Affine {
	return walk(rng, n, BN254G1, bn254.BatchJacobianToAffineG1)
}

// WalkBN254G2 returns n BN254 G2 points of a random walk.
func WalkBN254G2(rng *rand.Rand, n int) []bn254.G2Affine {
	return walk(rng, n, BN254G2, eachToAffine(func(a *bn254.G2Affine, j *bn254.G2Jac) { a.FromJacobian(j) }))
}

// WalkBLS12381G1 returns n BLS12-381 G1 points of a random walk.
func WalkBLS12381G1(rng *rand.Rand, n int) []bls381.G1Affine {
	return walk(rng, n, BLS12381G1, bls381.BatchJacobianToAffineG1)
}

// WalkBLS12381G2 returns n BLS12-381 G2 points of a random walk.
func WalkBLS12381G2(rng *rand.Rand, n int) []bls381.G2Affine {
	return walk(rng, n, BLS12381G2, eachToAffine(func(a *bls381.G2Affine, j *bls381.G2Jac) { a.FromJacobian(j) }))
}

// WalkBLS12377G1 returns n BLS12-377 G1 points of a random walk.
func WalkBLS12377G1(rng *rand.Rand, n int) []bls377.G1Affine {
	return walk(rng, n, BLS12377G1, bls377.BatchJacobianToAffineG1)
}

// WalkBLS12377G2 returns n BLS12-377 G2 points of a random walk.
func WalkBLS12377G2(rng *rand.Rand, n int) []bls377.G2Affine {
	return walk(rng, n, BLS12377G2, eachToAffine(func(a *bls377.G2Affine, j *bls377.G2Jac) { a.FromJacobian(j) }))
}
