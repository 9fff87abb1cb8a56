package plonk_test

import (
	"fmt"

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
