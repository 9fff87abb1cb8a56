package plonk_test

import (
	"fmt"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test/unsafekzg"

	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
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

// Example compiles a PLONK circuit, sets it up (with gnark's test SRS:
// use a real ceremony's SRS in production), proves with zkaccel on the
// default device and verifies with gnark.
func Example() {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, &square{})
	if err != nil {
		fmt.Println(err)
		return
	}
	srs, srsLagrange, err := unsafekzg.NewSRS(ccs)
	if err != nil {
		fmt.Println(err)
		return
	}
	pk, vk, err := plonk.Setup(ccs, srs, srsLagrange)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, err := frontend.NewWitness(&square{X: 7, Y: 49}, ecc.BN254.ScalarField())
	if err != nil {
		fmt.Println(err)
		return
	}
	proof, err := zplonk.Prove(ccs, pk, w) // was: plonk.Prove(ccs, pk, w)
	if err != nil {
		fmt.Println(err)
		return
	}
	public, _ := w.Public()
	fmt.Println("verified:", plonk.Verify(proof, vk, public) == nil)
	// Output: verified: true
}

// ExampleProver_Prove keeps one prover for a key, which holds the circuit's
// fixed polynomials (on the device where it keeps them), and several
// proofs in flight, as a proving service does: each goroutine's solving
// on the host runs while another's work runs on the device.
func ExampleProver_Prove() {
	ccs, _ := frontend.Compile(ecc.BN254.ScalarField(), scs.NewBuilder, &square{})
	srs, srsLagrange, _ := unsafekzg.NewSRS(ccs)
	pk, vk, _ := plonk.Setup(ccs, srs, srsLagrange)
	prover, err := zplonk.NewProver(pk)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prover.Close()
	const inFlight = 3
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
			ok[i] = plonk.Verify(proof, vk, public) == nil
		}()
	}
	wg.Wait()
	fmt.Println("verified:", ok)
	// Output: verified: [true true true]
}
