package groth16_test

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel/internal/circuits"
)

type (
	cubic     = circuits.Cubic
	committed = circuits.Committed
)

func cubicWitness(field *big.Int, x int64, rounds int) *cubic {
	return circuits.CubicAssignment(field, big.NewInt(x), rounds)
}

func committedWitness(a, b int64, commits int) *committed {
	return circuits.CommittedAssignment(a, b, commits)
}

// curves are the curves of the tests.
var curves = []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377}
