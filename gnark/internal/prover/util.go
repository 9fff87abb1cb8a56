package prover

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"

	"github.com/zkaccel/zkaccel"
)

// CheckDevice refuses a device that stands for an invalid ZKACCEL_DEVICE
// up front, before the solver runs.
func CheckDevice(dev zkaccel.Device) error {
	if dev == nil {
		_, err := zkaccel.LookupDefault()
		return err
	}
	return zkaccel.DeviceErr(dev)
}

// Skip returns wires without those whose flag in infinity is set: the
// wires whose basis point is the point at infinity, which the key leaves
// out of its A and B bases.
func Skip[E any](wires []E, infinity []bool, nb int) []E {
	out := make([]E, 0, max(len(wires)-nb, 0))
	for i, w := range wires {
		if i < len(infinity) && infinity[i] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// PrivateWires returns the wires from nbPublic on, without the private
// wires of the commitments and the commitment wires themselves: the
// scalars of the key's K bases.
func PrivateWires[E any](wires []E, nbPublic int, info constraint.Groth16Commitments) []E {
	drop := make([]bool, len(wires))
	for _, c := range info {
		for _, w := range c.PrivateCommitted {
			if w >= 0 && w < len(drop) {
				drop[w] = true
			}
		}
		if c.CommitmentIndex >= 0 && c.CommitmentIndex < len(drop) {
			drop[c.CommitmentIndex] = true
		}
	}
	out := make([]E, 0, len(wires))
	for i := nbPublic; i < len(wires); i++ {
		if !drop[i] {
			out = append(out, wires[i])
		}
	}
	return out
}

// ParallelRange calls fn on [0, n) cut into one range per CPU.
func ParallelRange(n int, fn func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), max(n/1024, 1))
	if parts <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	step := (n + parts - 1) / parts
	for lo := 0; lo < n; lo += step {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, min(lo+step, n))
		}()
	}
	wg.Wait()
}

// Solvable is what a prover needs of a constraint system.
type Solvable interface {
	Solve(witness.Witness, ...solver.Option) (any, error)
}

// Solve runs gnark's solver, turning a panic in it into an error.
func Solve(cs Solvable, w witness.Witness, opts []solver.Option) (sol any, err error) {
	defer func() {
		if v := recover(); v != nil {
			sol, err = nil, fmt.Errorf("solve: panic: %v", v)
		}
	}()
	sol, err = cs.Solve(w, opts...)
	if err != nil {
		return nil, fmt.Errorf("solve: %w", err)
	}
	return sol, nil
}

// DescribeCS names a constraint system's kind and curve, for errors.
func DescribeCS(ccs constraint.ConstraintSystem) string {
	kind := "a constraint system"
	// gnark's per-curve systems are one type for R1CS and SparseR1CS,
	// told apart by the Type field of the embedded constraint.System.
	if v := reflect.ValueOf(ccs); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if f := v.Elem().FieldByName("Type"); f.IsValid() && f.CanUint() {
			switch constraint.SystemType(f.Uint()) {
			case constraint.SystemR1CS:
				kind = "an R1CS"
			case constraint.SystemSparseR1CS:
				kind = "a PLONK (SparseR1CS) system"
			}
		}
	}
	field := "an unknown field"
	for _, id := range []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377, ecc.BW6_761, ecc.BLS24_315, ecc.BLS24_317, ecc.BW6_633} {
		if id.ScalarField().Cmp(ccs.Field()) == 0 {
			field = id.String()
			break
		}
	}
	return fmt.Sprintf("%s over %s", kind, field)
}

// Run is the body of a prover's Prove: it applies the prover's options and
// the call's, resets the report, checks the inputs and the device, runs
// prove, turns a panic into an error, and prefixes every error with
// "zkaccel/gnark/<pkg>: " (and "prove <curve>: " for prove's).
func Run[P any](pkg string, curve ecc.ID, base, call []Option, ccs constraint.ConstraintSystem, w witness.Witness,
	prove func(cfg *Config) (P, error)) (proof P, err error) {
	var zero P
	cfg := Apply(base, call)
	cfg.Report.Reset()
	if ccs == nil || w == nil {
		return zero, fmt.Errorf("zkaccel/gnark/%s: nil constraint system or witness", pkg)
	}
	if err := CheckDevice(cfg.Device); err != nil {
		return zero, fmt.Errorf("zkaccel/gnark/%s: %w", pkg, err)
	}
	defer func() {
		if v := recover(); v != nil {
			proof, err = zero, fmt.Errorf("zkaccel/gnark/%s: prove %s: panic: %v", pkg, curve, v)
		}
	}()
	if proof, err = prove(cfg); err != nil {
		return zero, fmt.Errorf("zkaccel/gnark/%s: prove %s: %w", pkg, curve, err)
	}
	return proof, nil
}
