package plonk_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel/gnark/internal/prover"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/ptxdev"
)

// TestProvePTX proves on a device whose kernels are the embedded CUDA PTX,
// run by the PTX interpreter (internal/ptxdev): the commitments, the
// quotient, the ratio Z and the openings run in the CUDA form, inline PTX
// and warp primitives included, under an adversarial warp scheduler with
// the race check on, and the checks of TestProveVerify apply (gnark's
// verifier accepts the proof, which is gnark's own from the same random
// bytes; each step ran where the device says). No
// device buffer may be left allocated. The interpreter is slow: with
// -short, BN254's cubic circuit only.
func TestProvePTX(t *testing.T) {
	ids := []ecc.ID{ecc.BN254, ecc.BLS12_381}
	cs := cases(8)
	if testing.Short() {
		ids, cs = ids[:1], cs[:1]
	}
	for _, id := range ids {
		for _, c := range cs {
			t.Run(id.String()+"/"+c.name, func(t *testing.T) {
				c.name = "ptx-" + c.name // its own setup: TestProveVerify's cubic has more rounds
				d, rt := ptxdev.NewDevice(devtest.Seed(t))
				rep := proveAndCheck(t, d, id, c)
				if err := prover.MSMsOn(rep, d); err != nil {
					t.Error(err)
				}
				d.ReleaseCache()
				if n := rt.Live(); n != 0 {
					t.Errorf("%d device buffers left allocated", n)
				}
				t.Logf("%d PTX instructions interpreted", rt.Stats.Instructions)
			})
		}
	}
}
