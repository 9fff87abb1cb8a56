package groth16_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"

	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/ptxdev"
)

// TestProvePTX proves on a device whose kernels are the embedded CUDA PTX,
// run by the PTX interpreter (internal/ptxdev): every MSM, the quotient's
// NTTs and the BSB22 commitments' proofs of knowledge run in the CUDA form,
// inline PTX and warp primitives included, under an adversarial warp
// scheduler with the race check on. gnark's verifier must accept each
// proof, and it must be gnark's own proof from the same random bytes: BN254 and BLS12-381, a circuit without and one with a commitment,
// one-shot and with the key resident (its window multiples computed on the
// device). No device buffer may be left allocated after the prover closes.
// The interpreter is slow: with -short, BN254 only, its commitment case
// without the window multiples (TestPTX in gpu runs those kernels too).
func TestProvePTX(t *testing.T) {
	cases := []proveCase{
		{"ptx-cubic", &cubic{Rounds: 12}, func(id ecc.ID) frontend.Circuit { return cubicWitness(id.ScalarField(), 3, 12) }},
		{"ptx-commit1", &committed{Commits: 1}, func(ecc.ID) frontend.Circuit { return committedWitness(5, 9, 1) }},
	}
	ids := []ecc.ID{ecc.BN254, ecc.BLS12_381}
	if testing.Short() {
		ids = ids[:1]
	}
	for _, id := range ids {
		for _, c := range cases {
			t.Run(id.String()+"/"+c.name, func(t *testing.T) {
				if testing.Short() && c.name == "ptx-commit1" {
					t.Setenv(gpu.EnvMSMPrecompute, "0")
				}
				d, rt := ptxdev.NewDevice(devtest.Seed(t))
				s, w, pub, rep := proveAndCheck(t, d, id, c) // its own setup names: TestProveVerify's cubic has more rounds
				if err := prover.MSMsOn(rep, d); err != nil {
					t.Error(err)
				}
				if testing.Short() || id != ecc.BN254 || c.name != "ptx-commit1" {
					d.ReleaseCache()
					if n := rt.Live(); n != 0 {
						t.Errorf("%d device buffers left allocated", n)
					}
					return
				}
				// The key resident, with its window multiples.
				p, err := zgroth16.NewProver(s.pk, zgroth16.WithDevice(d))
				if err != nil {
					t.Fatal(err)
				}
				seed := seedProof(t)
				proof, err := p.Prove(s.ccs, w)
				p.Close()
				if err != nil {
					t.Fatal(err)
				}
				verifySame(t, s, w, pub, seed, proof)
				d.ReleaseCache()
				if n := rt.Live(); n != 0 {
					t.Errorf("%d device buffers left allocated", n)
				}
				t.Logf("%d PTX instructions interpreted", rt.Stats.Instructions)
			})
		}
	}
}
