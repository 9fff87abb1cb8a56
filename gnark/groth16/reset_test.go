package groth16_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"

	"github.com/zkaccel/zkaccel"
	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestResetRetries resets the device at each call of a proof in turn (on
// every GPU-runtime device present, through devtest.ResetRetries: on a
// twin whose armed call frees every buffer and reports a reset, and where
// the device's library can fail with a sticky error, the emulated GPU's
// CUDA driver or faultcl.c, on the runtime's own reset), on a circuit with
// a commitment: with WithResetRetries(1) each proof verifies
// after one retry, which keeps the solved witness where the reset came
// after the solver's end (the quotient and the MSMs are done again, not
// the solve) and solves again where it came in the solver's commitment
// MSM; a one-shot Prove loads its key again after a reset there. Without
// retries the reset is the error; a device that resets at every call
// exhausts two retries (on the twin). With -short, 4 calls of each proof
// are reset.
func TestResetRetries(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "commit1", id, &committed{Commits: 1})
	w, pub := fullAndPublic(t, id, committedWitness(5, 9, 1))
	most := 1 << 30
	if testing.Short() {
		most = 4
	}
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		devtest.ResetRetries(t, dev, most, func([]string) bool { return true }, // H runs on GPU devices
			func(d zkaccel.Device) (*zgroth16.Prover, error) {
				return zgroth16.NewProver(s.pk, zgroth16.WithDevice(d))
			},
			func(d zkaccel.Device, p *zgroth16.Prover, retries int) (int, []string, error) {
				var rep zgroth16.Report
				opts := []zgroth16.Option{zgroth16.WithDevice(d), zgroth16.WithResetRetries(retries), zgroth16.WithReport(&rep)}
				var proof groth16.Proof
				var err error
				if p == nil {
					proof, err = zgroth16.Prove(s.ccs, s.pk, w, opts...)
				} else {
					proof, err = p.Prove(s.ccs, w, opts...)
				}
				if err == nil {
					err = groth16.Verify(proof, s.vk, pub)
				}
				var phases []string
				for _, ph := range rep.Phases {
					name := ph.Name
					if ph.Reason != nil && name != "reset" {
						name += " failed"
					}
					phases = append(phases, name)
				}
				return rep.Retries, phases, err
			})
	})
}

// TestResetRetriesNegative: a negative count of retries is an error of
// NewProver and of Prove, which names the option.
func TestResetRetriesNegative(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "commit1", id, &committed{Commits: 1})
	w, _ := fullAndPublic(t, id, committedWitness(5, 9, 1))
	dev := zkaccel.HostCPU()
	if _, err := zgroth16.NewProver(s.pk, zgroth16.WithDevice(dev), zgroth16.WithResetRetries(-1)); err == nil || !strings.Contains(err.Error(), "WithResetRetries(-1)") {
		t.Errorf("NewProver with -1 retries: %v", err)
	}
	p, err := zgroth16.NewProver(s.pk, zgroth16.WithDevice(dev))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Prove(s.ccs, w, zgroth16.WithResetRetries(-2)); err == nil || !strings.Contains(err.Error(), "WithResetRetries(-2)") || errors.Is(err, zkaccel.ErrDeviceReset) {
		t.Errorf("Prove with -2 retries: %v", err)
	}
}
