package proofs_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/frontend"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/proofs"
)

// committedWitness returns the full and public witnesses of the committed
// circuit (one commitment) on curve id.
func committedWitness(t *testing.T, id ecc.ID) (w, pub witness.Witness) {
	t.Helper()
	w, err := frontend.NewWitness(circuits.CommittedAssignment(40, 2, 1), id.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	if pub, err = w.Public(); err != nil {
		t.Fatal(err)
	}
	return w, pub
}

// TestPrecomputedKey: a prover of either system made for a GPU device with
// ZKACCEL_MSM_PRECOMPUTE=1 keeps its bases' window multiples (more device
// memory than with 0), and its proofs verify, on every curve.
func TestPrecomputedKey(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		rd, ok := dev.(interface{ ResidentBytes() uint64 })
		if !ok {
			t.Skipf("%v keeps no points", dev)
		}
		for _, sys := range []*proofs.System{proofs.Systems[proofs.Groth16], proofs.Systems[proofs.Plonk]} {
			for _, id := range []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377} {
				t.Run(sys.Name+"/"+id.String(), func(t *testing.T) {
					ccs, err := sys.Compile(id.ScalarField(), &circuits.Committed{Commits: 1})
					if err != nil {
						t.Fatal(err)
					}
					pk, vk, err := sys.Setup(ccs)
					if err != nil {
						t.Fatal(err)
					}
					w, pub := committedWitness(t, id)
					held := map[string]uint64{}
					for _, v := range []string{"0", "1"} {
						t.Setenv(gpu.EnvMSMPrecompute, v)
						before := rd.ResidentBytes()
						p, err := sys.NewProver(pk, dev)
						if err != nil {
							t.Fatal(err)
						}
						held[v] = rd.ResidentBytes() - before
						proof, err := p.Prove(ccs, w, nil)
						p.Close()
						if err != nil {
							t.Fatal(err)
						}
						if err := sys.Verify(proof, vk, pub); err != nil {
							t.Fatalf("%s=%s: gnark rejects the proof: %v", gpu.EnvMSMPrecompute, v, err)
						}
					}
					if held["1"] <= held["0"] {
						t.Errorf("resident bytes with the window multiples %d, without %d", held["1"], held["0"])
					}
					t.Logf("resident bytes: %d without the window multiples, %d with", held["0"], held["1"])
				})
			}
		}
	})
}
