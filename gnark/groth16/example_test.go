package groth16_test

import (
	"errors"
	"fmt"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkaccel/zkaccel"
	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
)

// square proves knowledge of X with X·X = Y.
type square struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *square) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.X, c.X), c.Y)
	return nil
}

// Example compiles a circuit, sets it up, proves with zkaccel on the
// default device (ZKACCEL_DEVICE, else the automatic choice) and verifies
// with gnark.
func Example() {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &square{})
	if err != nil {
		fmt.Println(err)
		return
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, err := frontend.NewWitness(&square{X: 7, Y: 49}, ecc.BN254.ScalarField())
	if err != nil {
		fmt.Println(err)
		return
	}
	proof, err := zgroth16.Prove(ccs, pk, w) // was: groth16.Prove(ccs, pk, w)
	if err != nil {
		fmt.Println(err)
		return
	}
	public, err := w.Public()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("verified:", groth16.Verify(proof, vk, public) == nil)
	// Output: verified: true
}

// ExampleNewProver keeps one prover for a key and proves many witnesses,
// reporting where each proof's time went.
func ExampleNewProver() {
	ccs, _ := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &square{})
	pk, vk, _ := groth16.Setup(ccs)
	prover, err := zgroth16.NewProver(pk)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prover.Close() // frees the key's points on the device
	for x := 2; x <= 4; x++ {
		w, _ := frontend.NewWitness(&square{X: x, Y: x * x}, ecc.BN254.ScalarField())
		var rep zgroth16.Report
		proof, err := prover.Prove(ccs, w, zgroth16.WithReport(&rep))
		if err != nil {
			fmt.Println(err)
			return
		}
		public, _ := w.Public()
		fmt.Println(x, groth16.Verify(proof, vk, public) == nil, len(rep.Phases) > 0)
	}
	// Output:
	// 2 true true
	// 3 true true
	// 4 true true
}

// ExampleProver_Prove keeps several proofs in flight with one prover, as a
// proving service does: each goroutine's solving on the host runs while
// another's MSMs and NTTs run on the device (`zkaccel bench --in-flight`
// measures the proofs per second this gives).
func ExampleProver_Prove() {
	ccs, _ := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &square{})
	pk, vk, _ := groth16.Setup(ccs)
	prover, err := zgroth16.NewProver(pk)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prover.Close()
	const inFlight = 4
	ok := make([]bool, inFlight)
	var wg sync.WaitGroup
	for i := range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := i + 2
			w, _ := frontend.NewWitness(&square{X: x, Y: x * x}, ecc.BN254.ScalarField())
			proof, err := prover.Prove(ccs, w)
			if err != nil {
				return
			}
			public, _ := w.Public()
			ok[i] = groth16.Verify(proof, vk, public) == nil
		}()
	}
	wg.Wait()
	fmt.Println("verified:", ok)
	// Output: verified: [true true true true]
}

// ExampleProver_Prove_retry proves again after a device reset: a GPU that
// faulted or was reset during a proof fails it with an error wrapping
// zkaccel.ErrDeviceReset, and has recovered by the time the error
// returns; the Prover loads its key again by itself. WithResetRetries has
// Prove retry by itself, keeping the solved witness where it can (a
// caller that wants its own policy retries on errors.Is(err,
// zkaccel.ErrDeviceReset)).
func ExampleProver_Prove_retry() {
	ccs, _ := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &square{})
	pk, vk, _ := groth16.Setup(ccs)
	prover, err := zgroth16.NewProver(pk, zgroth16.WithResetRetries(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prover.Close()
	w, _ := frontend.NewWitness(&square{X: 5, Y: 25}, ecc.BN254.ScalarField())
	var rep zgroth16.Report
	proof, err := prover.Prove(ccs, w, zgroth16.WithReport(&rep))
	if errors.Is(err, zkaccel.ErrDeviceReset) {
		fmt.Println("the device reset three times:", err)
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	public, _ := w.Public()
	fmt.Println("verified:", groth16.Verify(proof, vk, public) == nil, "after", rep.Retries, "retries")
	// Output: verified: true after 0 retries
}
