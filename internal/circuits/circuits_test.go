package circuits

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	csbn "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
)

// TestShapes checks what the benchmarks rely on: two R1CS constraints per
// round and four PLONK ones (zkaccel bench sizes its circuits by these
// counts), linear expressions of a few terms in every R1CS constraint
// (written as x·x·x + x + 5, the step made them grow to about 230 terms,
// so that gnark's solver, not the prover, dominated the host's work), and
// assignments that satisfy the circuits.
func TestShapes(t *testing.T) {
	field := ecc.BN254.ScalarField()
	const rounds = 200
	xs := []*big.Int{big.NewInt(3), big.NewInt(5), big.NewInt(7), big.NewInt(11)}
	for _, c := range []struct {
		name          string
		shape, assign frontend.Circuit
		r1cs, plonk   int // constraints
	}{
		{"cubic", &Cubic{Rounds: rounds}, CubicAssignment(field, big.NewInt(3), rounds), 2*rounds + 1, 4*rounds + 1},
		{"chains", NewChains(len(xs), rounds), ChainsAssignment(field, xs, rounds), 2 * rounds * len(xs), 4*rounds*len(xs) + len(xs)},
	} {
		t.Run(c.name, func(t *testing.T) {
			ccs, err := frontend.Compile(field, r1cs.NewBuilder, c.shape)
			if err != nil {
				t.Fatal(err)
			}
			r := ccs.(*csbn.R1CS)
			if n := r.GetNbConstraints(); n < c.r1cs-2 || n > c.r1cs+2 {
				t.Errorf("R1CS: %d constraints, want about %d", n, c.r1cs)
			}
			if words := float64(len(r.CallData)) / float64(r.GetNbConstraints()); words > 20 {
				t.Errorf("R1CS: %.1f call-data words per constraint, want at most 20 (short linear expressions)", words)
			}
			w, err := frontend.NewWitness(c.assign, field)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ccs.Solve(w); err != nil {
				t.Errorf("R1CS: the assignment does not solve the circuit: %v", err)
			}
			pccs, err := frontend.Compile(field, scs.NewBuilder, c.shape)
			if err != nil {
				t.Fatal(err)
			}
			if n := pccs.GetNbConstraints(); n < c.plonk-2 || n > c.plonk+2 {
				t.Errorf("PLONK: %d constraints, want about %d", n, c.plonk)
			}
			if _, err := pccs.Solve(w); err != nil {
				t.Errorf("PLONK: the assignment does not solve the circuit: %v", err)
			}
		})
	}
}
