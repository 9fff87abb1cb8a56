package plonk_test

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test/unsafekzg"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// FuzzProve proves random circuits (circuits.DecodeRandom: a program of
// field arithmetic, IsZero, Select, equality, bit decompositions, range checks
// and commitments over secret and public inputs) on every device present.
// The first byte picks the curve, whether the proof has statistical zero
// knowledge, and whether the key is kept on the device (NewProver) or not
// (Prove). Each proof must be gnark's own, byte for byte, from the
// same random bytes (verifySame); where gnark's prover cannot prove the
// witness (a division by zero), zkaccel's must return an error, and
// DecodeRandom must have said so. Either way the device must hold no more
// memory afterwards than before. Circuits gnark cannot set up (fewer than
// two constraints) are skipped. The seeds are circuits.RandomCorpus, spread
// over the curves, with and without statistical zero knowledge, with the
// key kept and not.
func FuzzProve(f *testing.F) {
	for i, p := range circuits.RandomCorpus() {
		head := i%len(curves) + len(curves)*(i%4) // the curves, statistical ZK and kept keys in turn
		f.Add(append([]byte{byte(head)}, p...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, ok := circuits.CompileFuzzInput(data, curves, func(field *big.Int, c frontend.Circuit) (constraint.ConstraintSystem, error) {
			return frontend.Compile(field, scs.NewBuilder, c)
		})
		if !ok {
			return
		}
		id, shape, assign, sat, ccs := in.Curve, in.Shape, in.Assign, in.Sat, in.CCS
		var opts []backend.ProverOption
		if data[0]/byte(len(curves))%2 == 1 {
			opts = append(opts, backend.WithStatisticalZeroKnowledge())
		}
		srs, srsLagrange, err := unsafekzg.NewSRS(ccs)
		if err != nil {
			t.Fatalf("test SRS: %v", err)
		}
		pk, vk, err := plonk.Setup(ccs, srs, srsLagrange)
		if err != nil {
			return // fewer than two constraints: gnark refuses it
		}
		s := &setup{ccs, pk, vk}
		w, pub := fullAndPublic(t, id, assign)
		_, gerr := plonk.Prove(ccs, pk, w, opts...)
		if (gerr == nil) != sat {
			t.Fatalf("gnark's prover: %v; DecodeRandom says satisfiable %v: %s", gerr, sat, shape)
		}
		resident := data[0]/byte(2*len(curves))%2 == 1
		devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
			before, counts := prover.DeviceHeld(dev)
			r := seedProof(t, s)
			proof, err := proveOnce(ccs, pk, w, dev, resident, opts)
			if after, _ := prover.DeviceHeld(dev); counts && after != before {
				t.Errorf("%v holds %d bytes after the proof (resident key %v), %d before: %s", dev, after, resident, before, shape)
			}
			compare, problem := prover.Outcome(gerr, err)
			if problem != nil {
				t.Fatalf("%v: %s", problem, shape)
			}
			if compare {
				verifySame(t, s, w, pub, r, proof, opts...)
			}
		})
	})
}

// proveOnce proves w on dev with gnark's prover options opts, with Prove
// or, where resident, with a Prover that keeps the SRS (and, after its
// first proof, the circuit's polynomials) on the device, closed once the
// proof is made.
func proveOnce(ccs constraint.ConstraintSystem, pk plonk.ProvingKey, w witness.Witness, dev zkaccel.Device, resident bool, opts []backend.ProverOption) (plonk.Proof, error) {
	if !resident {
		return zplonk.Prove(ccs, pk, w, zplonk.WithDevice(dev), zplonk.WithProverOptions(opts...))
	}
	p, err := zplonk.NewProver(pk, zplonk.WithDevice(dev))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Prove(ccs, w, zplonk.WithProverOptions(opts...))
}
