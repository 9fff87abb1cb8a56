package plonk_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestDeviceFaults fails each device runtime call in turn (on every
// GPU-runtime device present, through devtest.FaultProofs) of making a
// Prover (loading the SRS), of a one-shot Prove, of both with the key kept
// in half (a crowded device: the proofs move the other half) and of a
// proof with a kept key (its fixed polynomials kept on the device too), on
// a circuit with a commitment. Each must return an error wrapping the fault (no CPU
// fallback, no panic) and leave no more device buffers than the key's own;
// the next proof on the device must then be gnark's own. With -short, at
// most 24 calls of each are failed, spread over it.
func TestDeviceFaults(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(5, 3, 1))
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		devtest.FaultProofs(t, dev,
			func(d zkaccel.Device) (*zplonk.Prover, error) { return zplonk.NewProver(s.pk, zplonk.WithDevice(d)) },
			func(d zkaccel.Device) error {
				_, err := zplonk.Prove(s.ccs, s.pk, w, zplonk.WithDevice(d))
				return err
			},
			func(p *zplonk.Prover) error {
				_, err := p.Prove(s.ccs, w)
				return err
			},
			func(t *testing.T, f devtest.Faults, p *zplonk.Prover, held int) {
				r := seedProof(t, s)
				proof, err := p.Prove(s.ccs, w)
				if err != nil {
					t.Fatalf("a proof after the faults: %v", err)
				}
				verifySame(t, s, w, pub, r, proof)
				f.ReleaseCache()
				if n := f.Live(); n > held {
					t.Errorf("after the faults and a proof: %d buffers live, %d before", n, held)
				}
			})
	})
}
