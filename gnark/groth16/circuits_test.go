package groth16_test

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/rangecheck"
)

// cubic proves knowledge of x with x³ + x + 5 = Y (Y public), repeated
// Rounds times over a chain, to give the MSMs and NTTs some size.
type cubic struct {
	X      frontend.Variable
	Y      frontend.Variable `gnark:",public"`
	Rounds int               `gnark:"-"`
}

func (c *cubic) Define(api frontend.API) error {
	acc := c.X
	for i := 0; i < c.Rounds; i++ {
		acc = api.Add(api.Mul(acc, acc, acc), acc, 5)
	}
	api.AssertIsEqual(acc, c.Y)
	return nil
}

// cubicWitness returns the assignment of cubic for x.
func cubicWitness(field *big.Int, x int64, rounds int) *cubic {
	acc := big.NewInt(x)
	for i := 0; i < rounds; i++ {
		t := new(big.Int).Mul(acc, acc)
		t.Mul(t, acc).Add(t, acc).Add(t, big.NewInt(5))
		acc = t.Mod(t, field)
	}
	return &cubic{X: x, Y: acc, Rounds: rounds}
}

// committed uses BSB22 commitments: a range check (which commits to its
// decomposition) and, where Commits > 1, more explicit commitments; and two
// public inputs.
type committed struct {
	A, B    frontend.Variable
	Sum     frontend.Variable `gnark:",public"`
	Prod    frontend.Variable `gnark:",public"`
	Commits int               `gnark:"-"`
}

func (c *committed) Define(api frontend.API) error {
	api.AssertIsEqual(api.Add(c.A, c.B), c.Sum)
	api.AssertIsEqual(api.Mul(c.A, c.B), c.Prod)
	rc := rangecheck.New(api)
	rc.Check(c.A, 20)
	rc.Check(c.B, 20)
	committer, ok := api.(frontend.Committer)
	if !ok {
		return fmt.Errorf("the builder %T cannot commit", api)
	}
	for i := 1; i < c.Commits; i++ {
		cm, err := committer.Commit(c.A, c.B, i)
		if err != nil {
			return err
		}
		api.AssertIsDifferent(cm, 0)
	}
	return nil
}

func committedWitness(a, b int64, commits int) *committed {
	return &committed{A: a, B: b, Sum: a + b, Prod: a * b, Commits: commits}
}

// curves are the curves of the tests.
var curves = []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377}
