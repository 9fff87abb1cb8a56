package circuits

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"
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

// TestRandom: a Random circuit's assignment satisfies it exactly where
// DecodeRandom says so, in R1CS and in PLONK, on random programs that
// use every op, and on a division by a zero input (unsatisfiable) and by a
// value folded to the constant 0 (which gnark refuses to compile).
func TestRandom(t *testing.T) {
	field := ecc.BN254.ScalarField()
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[Op]bool{}
	nSat, nUnsat := 0, 0
	check := func(t *testing.T, data []byte) (compiled bool) {
		t.Helper()
		shape, assign, sat := DecodeRandom(data, field)
		for _, s := range shape.Steps {
			seen[s.Op] = true
		}
		for i, builder := range []string{"R1CS", "PLONK"} {
			var ccs constraint.ConstraintSystem
			var err error
			if i == 0 {
				ccs, err = frontend.Compile(field, r1cs.NewBuilder, shape)
			} else {
				ccs, err = frontend.Compile(field, scs.NewBuilder, shape)
			}
			if err != nil {
				return false
			}
			w, err := frontend.NewWitness(assign, field)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ccs.Solve(w); (err == nil) != sat {
				t.Errorf("%s: solve: %v, DecodeRandom says satisfiable %v: %s", builder, err, sat, shape)
			}
		}
		if sat {
			nSat++
		} else {
			nUnsat++
		}
		return true
	}
	for range 60 {
		data := make([]byte, 1+8*(RandomInputs+MaxRandomPublic)+3*rng.IntN(MaxRandomSteps+1))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		// Small inputs now and then, so that IsZero, Select, equality and
		// division meet zeros and equal values.
		if rng.IntN(2) == 0 {
			for i := 1; i < 1+8*(RandomInputs+MaxRandomPublic); i++ {
				if i%8 != 1 {
					data[i] = 0
				}
				data[i] %= 3
			}
		}
		check(t, data)
	}
	for op := range nbOps {
		if !seen[op] {
			t.Errorf("no program used %v", op)
		}
	}
	// x1 = 0: x0 / x1 cannot be satisfied.
	data := make([]byte, 1+8*RandomInputs)
	data[1] = 5
	if !check(t, append(data, byte(OpDiv), 0, 1)) {
		t.Error("x0 / x1 did not compile")
	}
	// x0 − x0 is the constant 0: gnark refuses to divide by it.
	if check(t, append(data, byte(OpSub), 0, 0, byte(OpDiv), 1, 4)) {
		t.Error("a division by the constant 0 compiled")
	}
	// The fuzz targets' seeds: all compile; only the last is unsatisfiable.
	for i, data := range RandomCorpus() {
		_, _, sat := DecodeRandom(data, field)
		if !check(t, data) || sat != (i < len(RandomCorpus())-1) {
			t.Errorf("seed %d: compiled or satisfiable not as meant", i)
		}
	}
	if nSat == 0 || nUnsat == 0 {
		t.Errorf("%d satisfiable programs, %d not: want both", nSat, nUnsat)
	}
	t.Logf("%d satisfiable programs, %d not", nSat, nUnsat)
}
