package groth16_test

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkaccel/zkaccel"
	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// FuzzProve proves random circuits (circuits.DecodeRandom: a program of
// field arithmetic, IsZero, Select, equality, bit decompositions, range checks
// and commitments over secret and public inputs) on every device present.
// The first byte picks the curve, and whether the key is kept on the
// device (NewProver) or not (Prove). Each proof must be gnark's own, byte
// for byte, from the same random bytes (verifySame); where gnark's prover
// cannot prove the witness (a division by zero), zkaccel's must return an
// error, and DecodeRandom must have said so. Either way the device must
// hold no more memory afterwards than before. The seeds are
// circuits.RandomCorpus, on each curve, with the key kept and not.
func FuzzProve(f *testing.F) {
	for i, p := range circuits.RandomCorpus() {
		f.Add(append([]byte{byte(i % (2 * len(curves)))}, p...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, ok := circuits.CompileFuzzInput(data, curves, func(field *big.Int, c frontend.Circuit) (constraint.ConstraintSystem, error) {
			return frontend.Compile(field, r1cs.NewBuilder, c)
		})
		if !ok {
			return
		}
		id, shape, assign, sat, ccs := in.Curve, in.Shape, in.Assign, in.Sat, in.CCS
		pk, vk, err := groth16.Setup(ccs)
		if err != nil {
			t.Fatalf("gnark's setup: %v", err)
		}
		s := &setup{ccs, pk, vk}
		w, pub := fullAndPublic(t, id, assign)
		_, gerr := groth16.Prove(ccs, pk, w)
		if (gerr == nil) != sat {
			t.Fatalf("gnark's prover: %v; DecodeRandom says satisfiable %v: %s", gerr, sat, shape)
		}
		resident := data[0]/byte(len(curves))%2 == 1
		devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
			before, counts := prover.DeviceHeld(dev)
			seed := seedProof(t)
			proof, err := proveOnce(ccs, pk, w, dev, resident)
			if after, _ := prover.DeviceHeld(dev); counts && after != before {
				t.Errorf("%v holds %d bytes after the proof (resident key %v), %d before: %s", dev, after, resident, before, shape)
			}
			compare, problem := prover.Outcome(gerr, err)
			if problem != nil {
				t.Fatalf("%v: %s", problem, shape)
			}
			if compare {
				verifySame(t, s, w, pub, seed, proof)
			}
		})
	})
}

// proveOnce proves w on dev with Prove or, where resident, with a Prover
// that keeps the key on the device, closed once the proof is made.
func proveOnce(ccs constraint.ConstraintSystem, pk groth16.ProvingKey, w witness.Witness, dev zkaccel.Device, resident bool) (groth16.Proof, error) {
	if !resident {
		return zgroth16.Prove(ccs, pk, w, zgroth16.WithDevice(dev))
	}
	p, err := zgroth16.NewProver(pk, zgroth16.WithDevice(dev))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Prove(ccs, w)
}
