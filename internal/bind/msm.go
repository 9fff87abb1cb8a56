// Package bind binds zkaccel's test machinery (the conformance suite, the
// fake devices, the fuzz and bad-input tests) to gnark-crypto's types: one
// value per curve group ([MSM]) and per field ([NTT]), and the constraints
// that let generic code call gnark-crypto's methods on them.
package bind

import (
	"math/big"
	"math/rand"

	bls377 "github.com/consensys/gnark-crypto/ecc/bls12-377"
	fr377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	bls381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	fr381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// Jac is the constraint a gnark-crypto Jacobian point type (*G1Jac, *G2Jac)
// meets, with A its affine type and S its scalar type.
type Jac[J, A, S any] interface {
	*J
	MultiExp(points []A, scalars []S, config ecc.MultiExpConfig) (*J, error)
	FromAffine(a *A) *J
	Set(q *J) *J
}

// Affine is the constraint a gnark-crypto affine point type meets, with J
// its Jacobian type.
type Affine[A, J any] interface {
	*A
	FromJacobian(p *J) *A
	Equal(q *A) bool
	Neg(q *A) *A
	IsInfinity() bool
	IsOnCurve() bool
	ScalarMultiplicationBase(s *big.Int) *A
	String() string
}

// Element is the constraint a gnark-crypto field element type meets (scalars
// of the MSMs, elements of the NTTs).
type Element[E any] interface {
	*E
	SetBytes(b []byte) *E
	SetUint64(v uint64) *E
	SetOne() *E
	SetZero() *E
	Neg(x *E) *E
	Equal(x *E) bool
	IsZero() bool
	String() string
}

// MSM binds one curve group: J is gnark-crypto's Jacobian point type, A its
// affine type and S the curve's scalar field element.
type MSM[J, A, S any] struct {
	Curve zkaccel.Curve
	Group zkaccel.Group
	// Random returns n independent random points of the group.
	Random func(rng *rand.Rand, n int) []A
	// Walk returns n random points more cheaply: independent ones up to 64,
	// then the steps of a random walk (see internal/inputs).
	Walk func(rng *rand.Rand, n int) []A
}

// Name is "bn254/g1": the curve and group, as conformance case names use.
func (b MSM[J, A, S]) Name() string { return string(b.Curve) + "/" + b.Group.String() }

// The six curve groups zkaccel's MSM front ends cover.
var (
	BN254G1    = MSM[bn254.G1Jac, bn254.G1Affine, frbn.Element]{Curve: zkaccel.BN254, Group: zkaccel.G1, Random: inputs.BN254G1, Walk: inputs.WalkBN254G1}
	BN254G2    = MSM[bn254.G2Jac, bn254.G2Affine, frbn.Element]{Curve: zkaccel.BN254, Group: zkaccel.G2, Random: inputs.BN254G2, Walk: inputs.WalkBN254G2}
	BLS12381G1 = MSM[bls381.G1Jac, bls381.G1Affine, fr381.Element]{Curve: zkaccel.BLS12381, Group: zkaccel.G1, Random: inputs.BLS12381G1, Walk: inputs.WalkBLS12381G1}
	BLS12381G2 = MSM[bls381.G2Jac, bls381.G2Affine, fr381.Element]{Curve: zkaccel.BLS12381, Group: zkaccel.G2, Random: inputs.BLS12381G2, Walk: inputs.WalkBLS12381G2}
	BLS12377G1 = MSM[bls377.G1Jac, bls377.G1Affine, fr377.Element]{Curve: zkaccel.BLS12377, Group: zkaccel.G1, Random: inputs.BLS12377G1, Walk: inputs.WalkBLS12377G1}
	BLS12377G2 = MSM[bls377.G2Jac, bls377.G2Affine, fr377.Element]{Curve: zkaccel.BLS12377, Group: zkaccel.G2, Random: inputs.BLS12377G2, Walk: inputs.WalkBLS12377G2}
)
