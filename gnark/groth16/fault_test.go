package groth16_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestDeviceFaults fails each device runtime call in turn (on every
// GPU-runtime device present, through devtest.Faulty) of making a Prover
// (loading the key), of a one-shot Prove and of a proof with a kept key,
// on a circuit with a commitment. Each must return an error wrapping the
// fault (no CPU fallback, no panic) and leave no more device buffers than
// the key's own; the next proof on the device must then be gnark's own.
// With -short, at most 24 calls of each are failed, spread over it.
func TestDeviceFaults(t *testing.T) {
	most := 1 << 30
	if testing.Short() {
		most = 24
	}
	id := ecc.BN254
	s := setupOf(t, "commit1", id, &committed{Commits: 1})
	w, pub := fullAndPublic(t, id, committedWitness(5, 9, 1))
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		g, ok := dev.(*gpu.Device)
		if !ok {
			t.Skipf("%v is not a GPU-runtime device", dev)
		}
		f := devtest.NewFaulty(g)
		defer f.ReleaseCache()
		devtest.FaultEach(t, f, "NewProver", most, func() error {
			p, err := zgroth16.NewProver(s.pk, zgroth16.WithDevice(f))
			if err == nil {
				p.Close()
			}
			return err
		})
		devtest.FaultEach(t, f, "Prove", most, func() error {
			_, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(f))
			return err
		})
		p, err := zgroth16.NewProver(s.pk, zgroth16.WithDevice(f))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		_, held := devtest.FaultEach(t, f, "Prover.Prove", most, func() error {
			_, err := p.Prove(s.ccs, w)
			return err
		})
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
}
