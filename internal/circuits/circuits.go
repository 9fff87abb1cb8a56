// Package circuits holds the gnark circuits that zkaccel's prover tests
// and benchmarks prove: a chain of cubic steps (any size), many such
// chains side by side, and a circuit with BSB22 commitments (a range
// check, and more commitments on demand).
package circuits

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/rangecheck"
)

// Cubic proves knowledge of X with f^Rounds(X) = Y (Y public), where
// f(x) = x³ + x + 5, written as x·(x·x + 1) + 5: two constraints per
// round in R1CS (four in PLONK), each over linear expressions of at most
// two terms, as in gnark's own benchmark circuits. (Written as
// x·x·x + x + 5, the running value would stay a linear expression that
// grows by a term each round until gnark's frontend compresses it: about
// 230 terms in every constraint, which made gnark's solver, not the
// prover, the larger part of a proof's host work.)
type Cubic struct {
	X      frontend.Variable
	Y      frontend.Variable `gnark:",public"`
	Rounds int               `gnark:"-"`
}

// Define writes the chain.
func (c *Cubic) Define(api frontend.API) error {
	acc := c.X
	for i := 0; i < c.Rounds; i++ {
		acc = cubicStep(api, acc)
	}
	api.AssertIsEqual(acc, c.Y)
	return nil
}

// cubicStep returns x³ + x + 5 as x·(x·x + 1) + 5: two products, and a
// linear expression of two terms.
func cubicStep(api frontend.API, x frontend.Variable) frontend.Variable {
	return api.Add(api.Mul(api.Add(api.Mul(x, x), 1), x), 5)
}

// CubicAssignment returns the assignment of a Cubic of rounds rounds for x
// over the field of modulus field.
func CubicAssignment(field, x *big.Int, rounds int) *Cubic {
	acc := new(big.Int).Set(x)
	for i := 0; i < rounds; i++ {
		t := new(big.Int).Mul(acc, acc)
		t.Mul(t, acc).Add(t, acc).Add(t, big.NewInt(5))
		acc = t.Mod(t, field)
	}
	return &Cubic{X: new(big.Int).Set(x), Y: acc, Rounds: rounds}
}

// Chains proves knowledge of X₀ … X_(W−1) with Σᵢ f^Rounds(Xᵢ) = Y (Y
// public), f as in Cubic: W independent chains, two constraints per round
// and chain (R1CS). Where Cubic's constraints form one chain that gnark's
// solver must run in order, these form levels of W constraints that it can
// spread over the CPU's cores, as in circuits whose constraints are
// mostly independent.
type Chains struct {
	X      []frontend.Variable
	Y      frontend.Variable `gnark:",public"`
	Rounds int               `gnark:"-"`
}

// Define writes the chains and their sum.
func (c *Chains) Define(api frontend.API) error {
	sum := frontend.Variable(0)
	for _, x := range c.X {
		acc := x
		for i := 0; i < c.Rounds; i++ {
			acc = cubicStep(api, acc)
		}
		sum = api.Add(sum, acc)
	}
	api.AssertIsEqual(sum, c.Y)
	return nil
}

// NewChains returns the circuit shape of width chains of rounds rounds (for
// frontend.Compile).
func NewChains(width, rounds int) *Chains {
	return &Chains{X: make([]frontend.Variable, width), Rounds: rounds}
}

// ChainsAssignment returns the assignment of Chains for the inputs xs, over
// the field of modulus field.
func ChainsAssignment(field *big.Int, xs []*big.Int, rounds int) *Chains {
	c := &Chains{X: make([]frontend.Variable, len(xs)), Rounds: rounds}
	sum := new(big.Int)
	for i, x := range xs {
		c.X[i] = new(big.Int).Set(x)
		y := CubicAssignment(field, x, rounds).Y.(*big.Int)
		sum.Add(sum, y)
	}
	c.Y = sum.Mod(sum, field)
	return c
}

// Committed has two public inputs (Sum, Prod of two secrets), range checks
// both secrets on 20 bits (which commits to their decomposition), and,
// where Commits > 1, makes Commits − 1 more commitments.
type Committed struct {
	A, B    frontend.Variable
	Sum     frontend.Variable `gnark:",public"`
	Prod    frontend.Variable `gnark:",public"`
	Commits int               `gnark:"-"`
}

// Define writes the circuit.
func (c *Committed) Define(api frontend.API) error {
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

// CommittedAssignment returns the assignment of a Committed for a and b.
func CommittedAssignment(a, b int64, commits int) *Committed {
	return &Committed{A: a, B: b, Sum: a + b, Prod: a * b, Commits: commits}
}

// Hinted proves knowledge of X with X² = Y (Y public), computing X² with
// the hint SquareHint, which is not registered with gnark's solver: a
// prover must be given it (solver.WithHints, through
// backend.WithSolverOptions), so that tests can check that the solver
// options reach the solver.
type Hinted struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

// Define writes the circuit.
func (c *Hinted) Define(api frontend.API) error {
	sq, err := api.Compiler().NewHint(SquareHint, 1, c.X)
	if err != nil {
		return err
	}
	api.AssertIsEqual(sq[0], api.Mul(c.X, c.X))
	api.AssertIsEqual(sq[0], c.Y)
	return nil
}

// SquareHint is Hinted's hint: out[0] = in[0]² mod field.
func SquareHint(field *big.Int, in, out []*big.Int) error {
	if len(in) != 1 || len(out) != 1 {
		return fmt.Errorf("square hint: %d inputs and %d outputs, want 1 and 1", len(in), len(out))
	}
	out[0].Mul(in[0], in[0]).Mod(out[0], field)
	return nil
}
