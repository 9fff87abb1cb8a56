package groth16_test

import (
	"fmt"
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
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/ptxdev"
)

// FuzzProve proves random circuits (circuits.DecodeRandom: a program of
// field arithmetic, IsZero, Select, equality, bit decompositions, range checks,
// commitments and lookups over secret and public inputs) on every device present.
// The first byte picks the curve, and whether the key is kept on the
// device (NewProver) or not (Prove), and on a GPU whether the device has
// room for only a part of it (devtest.KeepOf). Each proof must be gnark's own, byte
// for byte, from the same random bytes (verifySame); where gnark's prover
// cannot prove the witness (a division by zero), zkaccel's must return an
// error, and DecodeRandom must have said so. Either way the device must
// hold no more memory afterwards than before, and a device that
// ZKACCEL_REQUIRE names must run every MSM itself. The seeds are
// circuits.RandomCorpus, over the curves and the ways of keeping the key
// (seedHead).
func FuzzProve(f *testing.F) {
	for i, p := range circuits.RandomCorpus() {
		f.Add(append([]byte{seedHead(i)}, p...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		proveRandom(t, data, devtest.ForEachDevice, circuits.RandomMaxConstraints)
	})
}

// TestRandomPTX proves circuits.RandomCorpus, as FuzzProve's seeds, on the
// PTX interpreter (internal/ptxdev): the CUDA form of the kernels on random
// circuits, the smallest domains included. Each proof must be gnark's, byte
// for byte, every MSM must run on the interpreter, and no device buffer may
// be left allocated. With -short, kept keys skip the window multiples of
// their points (the interpreter takes minutes on them; TestPTX in gpu runs
// those kernels), and circuits of more than 256 constraints are skipped
// (the lookups' seed, whose 412 make a domain of 512: 35 s).
func TestRandomPTX(t *testing.T) {
	limit := circuits.RandomMaxConstraints
	if testing.Short() {
		t.Setenv(gpu.EnvMSMPrecompute, "0")
		limit = 256
	}
	for i, p := range circuits.RandomCorpus() {
		data := append([]byte{seedHead(i)}, p...)
		t.Run(fmt.Sprint(i), func(t *testing.T) { proveRandom(t, data, ptxdev.Each, limit) })
	}
}

// TestExplicitDevice proves FuzzProve's seeds on every device present, each
// named explicitly, with ZKACCEL_DEVICE naming no device: nothing in a proof
// on a chosen device may consult the default one (a device call once set
// the identity of an MSM of no scalar through it, and such a proof failed).
func TestExplicitDevice(t *testing.T) {
	t.Setenv(zkaccel.EnvDevice, "nosuch:7")
	for i, p := range circuits.RandomCorpus() {
		data := append([]byte{seedHead(i)}, p...)
		t.Run(fmt.Sprint(i), func(t *testing.T) { proveRandom(t, data, devtest.ForEachDevice, circuits.RandomMaxConstraints) })
	}
}

// seedHead is the first byte of FuzzProve's seed i: the curves in turn,
// and the ways of keeping the key (the whole key twice, the one-element
// domain of seed 0 not kept).
func seedHead(i int) byte {
	keeps := []devtest.Keep{devtest.KeepNone, devtest.KeepAll, devtest.KeepQuarter, devtest.KeepAll, devtest.KeepHalf, devtest.KeepNone, devtest.KeepThreeQuarters, devtest.KeepHalf}
	return byte(i%len(curves)) + byte(len(curves))*keeps[i%len(keeps)].Bits()
}

// proveRandom is FuzzProve's check of one input, on the devices that each
// gives; it skips a circuit of more than limit constraints.
func proveRandom(t *testing.T, data []byte, each func(*testing.T, func(*testing.T, zkaccel.Device)), limit int) {
	in, ok := circuits.CompileFuzzInput(data, curves, func(field *big.Int, c frontend.Circuit) (constraint.ConstraintSystem, error) {
		return frontend.Compile(field, r1cs.NewBuilder, c)
	})
	if !ok {
		devtest.Tally("skipped: empty, not compiled, or over the constraint cap")
		return
	}
	id, shape, assign, sat, ccs := in.Curve, in.Shape, in.Assign, in.Sat, in.CCS
	if n := ccs.GetNbConstraints(); n > limit {
		devtest.Tally("skipped: over the test's constraint limit")
		t.Skipf("%d constraints, more than %d", n, limit)
	}
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
	keep := devtest.KeepOf(data[0] / byte(len(curves)))
	each(t, func(t *testing.T, dev zkaccel.Device) {
		before, counts := prover.DeviceHeld(dev)
		seed := seedProof(t)
		var rep zgroth16.Report
		proof, ran, err := proveOnce(ccs, pk, w, dev, keep, &rep)
		if after, _ := prover.DeviceHeld(dev); counts && after != before {
			t.Errorf("%v holds %d bytes after the proof (%v), %d before: %s", dev, after, keep, before, shape)
		}
		compare, problem := prover.Outcome(gerr, err)
		if problem != nil {
			t.Fatalf("%v: %s", problem, shape)
		}
		if compare {
			verifySame(t, s, w, pub, seed, proof)
			if devtest.MustRun(dev, "msm") || ptxdev.Is(dev) {
				if err := prover.MSMsOn(&rep, ran); err != nil {
					t.Error(err)
				}
			}
		}
	})
	devtest.TallyProof(t, sat)
}

// proveOnce proves w on dev with Prove or, where keep says, with a Prover
// that keeps the key (on a device crowded by another key's points, for a
// part of it: devtest.KeptOn), closed once the proof is made; rep receives
// the proof's report, and ran is the device the Prover used.
func proveOnce(ccs constraint.ConstraintSystem, pk groth16.ProvingKey, w witness.Witness, dev zkaccel.Device, keep devtest.Keep, rep *zgroth16.Report) (proof groth16.Proof, ran zkaccel.Device, err error) {
	if keep == devtest.KeepNone {
		proof, err = zgroth16.Prove(ccs, pk, w, zgroth16.WithDevice(dev), zgroth16.WithReport(rep))
		return proof, dev, err
	}
	p, ran, done, err := devtest.KeptProver(dev, keep, func(d zkaccel.Device) (*zgroth16.Prover, error) {
		return zgroth16.NewProver(pk, zgroth16.WithDevice(d))
	})
	if err != nil {
		return nil, ran, err
	}
	defer done()
	proof, err = p.Prove(ccs, w, zgroth16.WithReport(rep))
	return proof, ran, err
}
