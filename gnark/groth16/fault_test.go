package groth16_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestDeviceFaults fails each device runtime call in turn (on every
// GPU-runtime device present, through devtest.FaultProofs) of making a
// Prover (loading the key), of a one-shot Prove, of both with the key kept
// in half (a crowded device: the proofs move the other half) and of a
// proof with a kept key, on a circuit with a commitment. Each must return an error wrapping
// the fault (no CPU fallback, no panic) and leave no more device buffers
// than the key's own; the next proof on the device must then be gnark's
// own. With -short, at most 24 calls of each are failed, spread over it.
func TestDeviceFaults(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "commit1", id, &committed{Commits: 1})
	w, pub := fullAndPublic(t, id, committedWitness(5, 9, 1))
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		devtest.FaultProofs(t, dev,
			func(d zkaccel.Device) (*zgroth16.Prover, error) {
				return zgroth16.NewProver(s.pk, zgroth16.WithDevice(d))
			},
			func(d zkaccel.Device) error {
				_, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(d))
				return err
			},
			func(p *zgroth16.Prover) error {
				_, err := p.Prove(s.ccs, w)
				return err
			},
			func(t *testing.T, f devtest.Faults, p *zgroth16.Prover, held int) {
				seed := seedProof(t)
				proof, err := p.Prove(s.ccs, w)
				if err != nil {
					t.Fatalf("a proof after the faults: %v", err)
				}
				verifySame(t, s, w, pub, seed, proof)
				f.ReleaseCache()
				if n := f.Live(); n != held {
					t.Errorf("after the faults and a proof: %d buffers live, %d before", n, held)
				}
			})
	})
}
