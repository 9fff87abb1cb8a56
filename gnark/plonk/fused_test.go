package plonk_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/witness"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// declining is a GPU device that declines (ErrUnsupported) or fails (err)
// PLONK's quotient and MSMs as one call.
type declining struct {
	zkaccel.PlonkMSMDevice
	err   error
	calls int
}

func (d *declining) PlonkQuotientMSM(*zkaccel.PlonkQuotientRequest, []*zkaccel.MSMRequest, []int) error {
	d.calls++
	return d.err
}

// TestQuotientMSM: on a GPU, PLONK's quotient and the commitments to H's
// three shards are one device call, with and without statistical zero
// knowledge (whose blinding of the shards the prover adds to the
// commitments on the host), on the three curves, and gnark's verifier
// accepts the proofs. Where the device declines the call
// (ZKACCEL_PLONK_FUSE=0, or a device that declines), the prover runs the
// quotient and the MSMs apart and the proof verifies; where the call
// fails, Prove returns its error.
func TestQuotientMSM(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		fd, ok := dev.(zkaccel.PlonkMSMDevice)
		if !ok {
			t.Skipf("%v does not run the quotient and MSMs as one call", dev)
		}
		// prove proves on dev, checks the proof, and whether the quotient
		// and H's MSMs ran as one call.
		prove := func(t *testing.T, dev zkaccel.Device, id ecc.ID, statZK, oneCall bool) *zplonk.Report {
			t.Helper()
			s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
			w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(1000, 77777, 1))
			var rep zplonk.Report
			opts := []zplonk.Option{zplonk.WithDevice(dev), zplonk.WithReport(&rep)}
			var gopts []backend.ProverOption
			if statZK {
				gopts = append(gopts, backend.WithStatisticalZeroKnowledge())
				opts = append(opts, zplonk.WithProverOptions(gopts...))
			}
			r := seedProof(t, s)
			proof, err := zplonk.Prove(s.ccs, s.pk, w, opts...)
			if err != nil {
				t.Fatal(err)
			}
			verifySame(t, s, w, pub, r, proof, gopts...)
			one := rep.Get("quotient") == rep.Get("msm H1") && rep.Get("msm H1") == rep.Get("msm H3")
			if one != oneCall {
				t.Errorf("the quotient and H's MSMs as one call: %v, want %v: %s", one, oneCall, rep.String())
			}
			return &rep
		}
		for _, id := range curves {
			for _, statZK := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/statzk=%v", id, statZK), func(t *testing.T) {
					prove(t, dev, id, statZK, prover.SwitchedOn(gpu.EnvPlonkFuse))
				})
			}
		}
		bn := ecc.BN254
		t.Run("declined", func(t *testing.T) {
			dd := &declining{PlonkMSMDevice: fd, err: fmt.Errorf("%w: declined by the test", zkaccel.ErrUnsupported)}
			prove(t, dd, bn, true, false)
			if dd.calls != 1 {
				t.Errorf("%d calls of the declining device, want 1", dd.calls)
			}
		})
		// ZKACCEL_PLONK_FUSE=0: the GPU itself declines, the ratio's one
		// call with Z's commitment too (the ratio still runs there).
		t.Run("fuse-off", func(t *testing.T) {
			t.Setenv(gpu.EnvPlonkFuse, "0")
			rep := prove(t, dev, bn, false, false)
			if rep.Get("ratio") == rep.Get("msm Z") {
				t.Errorf("the ratio and Z's MSM were one call: %s", rep.String())
			}
		})
		t.Run("failing", func(t *testing.T) {
			s := setupOf(t, "rangecheck", bn, &circuits.Committed{Commits: 1})
			w, _ := fullAndPublic(t, bn, circuits.CommittedAssignment(1000, 77777, 1))
			boom := errors.New("the test's device failed")
			dd := &declining{PlonkMSMDevice: fd, err: boom}
			if _, err := zplonk.Prove(s.ccs, s.pk, w, zplonk.WithDevice(dd)); !errors.Is(err, boom) {
				t.Fatalf("got %v, want the device's error", err)
			}
		})
	})
}

// TestDefaultDevice: with ZKACCEL_DEVICE naming a GPU and no WithDevice, a
// proof runs whole on it as with WithDevice: its quotient and H's MSMs as
// one call, every MSM there; and gnark's verifier accepts it.
func TestDefaultDevice(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		if _, ok := dev.(zkaccel.PlonkMSMDevice); !ok {
			t.Skipf("%v does not run the quotient and MSMs as one call", dev)
		}
		t.Setenv(zkaccel.EnvDevice, dev.String())
		rep := proveRangecheck(t)
		if prover.SwitchedOn(gpu.EnvPlonkFuse) && rep.Get("quotient") != rep.Get("msm H1") {
			t.Errorf("the quotient and H's MSMs were not one call: %s", rep.String())
		}
		for _, p := range rep.Phases {
			if strings.HasPrefix(p.Name, "msm ") && (p.Ran == nil || p.Ran.String() != dev.String() || p.Fallback) {
				t.Errorf("%s ran on %v (fallback %v), want %v", p.Name, p.Ran, p.Fallback, dev)
			}
		}
	})
}

// TestRatioDeclined: where a GPU declines PLONK's ratio
// (ZKACCEL_PLONK_RATIO=0), the prover computes it on the host, the report
// says so (a CPU fallback), and gnark's verifier accepts the proof.
func TestRatioDeclined(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		if _, ok := dev.(zkaccel.PlonkRatioDevice); !ok {
			t.Skipf("%v does not compute the ratio", dev)
		}
		t.Setenv(gpu.EnvPlonkRatio, "0")
		rep := proveRangecheck(t, zplonk.WithDevice(dev))
		for _, p := range rep.Phases {
			if p.Name == "ratio" && (!p.Fallback || p.Ran == nil || p.Ran.Kind() != zkaccel.CPU) {
				t.Errorf("the ratio ran on %v (fallback %v), want a CPU fallback", p.Ran, p.Fallback)
			}
		}
	})
}

// TestProverReuse: one prover makes several proofs on every device, each
// with its own witness, reusing the vectors of the proofs before (its
// workspaces); gnark's verifier accepts each one, and rejects each against
// the previous proof's public input.
func TestProverReuse(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		id := ecc.BN254
		s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
		p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		var prevPub witness.Witness
		for k := range 3 {
			w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(int64(100+k), int64(7000+3*k), 1))
			r := seedProof(t, s)
			proof, err := p.Prove(s.ccs, w)
			if err != nil {
				t.Fatal(err)
			}
			verifySame(t, s, w, pub, r, proof)
			if prevPub != nil && plonk.Verify(proof, s.vk, prevPub) == nil {
				t.Fatalf("proof %d verifies against the previous public input", k)
			}
			prevPub = pub
		}
	})
}

// TestProverSteady: a kept Prover's proofs hold no more as they go, on
// every device (devtest.SteadyProofs): after a few, the device holds the
// same bytes (the key's) and the Go heap grows by less than half of one of
// the proof's polynomials a proof (thousands of proofs here grow it by
// nothing once the first few have filled the caches).
func TestProverSteady(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	w, _ := fullAndPublic(t, id, circuits.CommittedAssignment(100, 7000, 1))
	devtest.SteadyProofs(t, ecc.NextPowerOfTwo(uint64(s.ccs.GetNbConstraints()+s.ccs.GetNbPublicVariables())),
		func(d zkaccel.Device) (*zplonk.Prover, error) { return zplonk.NewProver(s.pk, zplonk.WithDevice(d)) },
		prover.DeviceHeld,
		func(p *zplonk.Prover) error {
			_, err := p.Prove(s.ccs, w)
			return err
		})
}

// proveRangecheck proves the range-check circuit on BN254 with opts (and
// a report, which it returns), and has gnark's verifier check the proof.
func proveRangecheck(t *testing.T, opts ...zplonk.Option) *zplonk.Report {
	t.Helper()
	id := ecc.BN254
	s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(1000, 77777, 1))
	var rep zplonk.Report
	r := seedProof(t, s)
	proof, err := zplonk.Prove(s.ccs, s.pk, w, append(opts, zplonk.WithReport(&rep))...)
	if err != nil {
		t.Fatal(err)
	}
	verifySame(t, s, w, pub, r, proof)
	return &rep
}
