package plonk_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/plonk"

	"github.com/zkaccel/zkaccel"
	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestResetRetries resets the device at each call of a proof in turn (on
// every GPU-runtime device present, through devtest.ResetRetries: on a
// twin whose armed call frees every buffer and reports a reset, and where
// the device's library can fail with a sticky error, the emulated GPU's
// CUDA driver or faultcl.c, on the runtime's own reset), on a circuit with
// a commitment: with WithResetRetries(1) each proof verifies after one
// retry, which keeps the solved witness where the reset came after the
// solver's end and before the quotient (L, R, O's commitments, the ratio
// Z), and solves again where it came in the solver's commitment MSM or
// from the quotient on; a one-shot Prove loads its key again after a reset
// there. Without retries the reset is the error; a device that resets at
// every call exhausts two retries (on the twin). With -short, 4 calls of
// each proof are reset.
func TestResetRetries(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(5, 3, 1))
	most := 1 << 30
	if testing.Short() {
		most = 4
	}
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		devtest.ResetRetries(t, dev, most, beforeQuotient,
			func(d zkaccel.Device) (*zplonk.Prover, error) { return zplonk.NewProver(s.pk, zplonk.WithDevice(d)) },
			func(d zkaccel.Device, p *zplonk.Prover, retries int) (int, []string, error) {
				var rep zplonk.Report
				opts := []zplonk.Option{zplonk.WithDevice(d), zplonk.WithResetRetries(retries), zplonk.WithReport(&rep)}
				var proof plonk.Proof
				var err error
				if p == nil {
					proof, err = zplonk.Prove(s.ccs, s.pk, w, opts...)
				} else {
					proof, err = p.Prove(s.ccs, w, opts...)
				}
				if err == nil {
					err = plonk.Verify(proof, s.vk, pub)
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
	s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	w, _ := fullAndPublic(t, id, circuits.CommittedAssignment(5, 3, 1))
	dev := zkaccel.HostCPU()
	if _, err := zplonk.NewProver(s.pk, zplonk.WithDevice(dev), zplonk.WithResetRetries(-1)); err == nil || !strings.Contains(err.Error(), "WithResetRetries(-1)") {
		t.Errorf("NewProver with -1 retries: %v", err)
	}
	p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(dev))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Prove(s.ccs, w, zplonk.WithResetRetries(-2)); err == nil || !strings.Contains(err.Error(), "WithResetRetries(-2)") || errors.Is(err, zkaccel.ErrDeviceReset) {
		t.Errorf("Prove with -2 retries: %v", err)
	}
}

// beforeQuotient reports whether a reset after the phases before keeps
// the solved witness: where the quotient had not started (its phase "ntt",
// recorded as it starts, not yet there), which turns L, R and O into
// coefficients in place.
func beforeQuotient(before []string) bool { return !slices.Contains(before, "ntt") }
