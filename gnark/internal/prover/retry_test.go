package prover

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkaccel/zkaccel"
)

// TestRetry: Config.Retry allows WithResetRetries' count of retries, for
// errors wrapping zkaccel.ErrDeviceReset only, and records each in the
// report (Retries, a phase "reset" with the error); Load loads again after
// a reset as many times, records each too, and refuses a negative count.
func TestRetry(t *testing.T) {
	reset := fmt.Errorf("kernel fault: %w", zkaccel.ErrDeviceReset)
	other := errors.New("out of memory")
	var rep Report
	c := Apply([]Option{WithResetRetries(2), WithReport(&rep)})
	begin := time.Now().Add(-time.Millisecond)
	switch {
	case c.Retry(nil, begin):
		t.Fatal("a retry without an error")
	case c.Retry(other, begin):
		t.Fatal("a retry after an error that is not a reset")
	case !c.Retry(reset, begin), !c.Retry(fmt.Errorf("msm: %w", reset), begin):
		t.Fatal("no retry after a reset, with retries left")
	case c.Retry(reset, begin):
		t.Fatal("a third retry of two")
	}
	if c.Retried() != 2 || rep.Retries != 2 || len(rep.Phases) != 2 {
		t.Fatalf("%d retried, report %d retries, %d phases; want 2, 2, 2", c.Retried(), rep.Retries, len(rep.Phases))
	}
	for _, ph := range rep.Phases {
		if ph.Name != "reset" || ph.Elapsed < time.Millisecond || !errors.Is(ph.Reason, zkaccel.ErrDeviceReset) {
			t.Errorf("phase %+v, want a reset of at least 1ms for the reset's error", ph)
		}
	}
	rep.Step("solve", time.Millisecond, reset)
	rep.Step("wires", time.Millisecond, nil)
	if s := rep.String(); !strings.Contains(s, "reset") || !strings.Contains(s, "solve 1ms (failed)") || strings.Contains(s, "wires 1ms (failed)") {
		t.Errorf("the report %q names no reset, or not the failed solve alone", s)
	}
	if ph := rep.Phases[2]; ph.Name != "solve" || !errors.Is(ph.Reason, zkaccel.ErrDeviceReset) || ph.Fallback {
		t.Errorf("a failed step's phase %+v", ph)
	}
	rep.Reset()
	if rep.Retries != 0 || len(rep.Phases) != 0 {
		t.Errorf("after Reset: %d retries, %d phases", rep.Retries, len(rep.Phases))
	}

	// Without the option, no retry.
	if Apply(nil).Retry(reset, begin) {
		t.Error("a retry without WithResetRetries")
	}

	for _, tc := range []struct {
		retries, fails int
		fail           error
		wantCalls      int
		wantErr        error
	}{
		{0, 1, reset, 1, zkaccel.ErrDeviceReset},
		{1, 1, reset, 2, nil},
		{3, 2, reset, 3, nil},
		{2, 5, reset, 3, zkaccel.ErrDeviceReset},
		{3, 1, other, 1, other},
	} {
		var rep Report
		c := Apply([]Option{WithResetRetries(tc.retries), WithReport(&rep)})
		calls := 0
		err := c.Load(func() error {
			calls++
			if calls <= tc.fails {
				return tc.fail
			}
			return nil
		})
		name := fmt.Sprintf("%d retries, %d failures (%v)", tc.retries, tc.fails, tc.fail)
		switch {
		case calls != tc.wantCalls:
			t.Errorf("%s: %d loads, want %d", name, calls, tc.wantCalls)
		case tc.wantErr == nil && err != nil, tc.wantErr != nil && !errors.Is(err, tc.wantErr):
			t.Errorf("%s: %v, want %v", name, err, tc.wantErr)
		case rep.Retries != calls-1 && errors.Is(tc.fail, zkaccel.ErrDeviceReset) && err == nil:
			t.Errorf("%s: %d retries in the report after %d loads", name, rep.Retries, calls)
		case c.Retried() != 0:
			t.Errorf("%s: the loads took %d of the proof's retries", name, c.Retried())
		}
	}
	if err := Apply([]Option{WithResetRetries(-1)}).Load(func() error { return nil }); err == nil || !strings.Contains(err.Error(), "WithResetRetries(-1)") {
		t.Errorf("Load with -1 retries: %v", err)
	}
}

// TestRunRetries: Run proves again after a reset as WithResetRetries
// allows, records the lost attempts, gives the whole call's time with
// them, keeps the report under KeepReport, and refuses a negative count.
func TestRunRetries(t *testing.T) {
	ccs, w := tinyCS(t)
	reset := fmt.Errorf("msm A: %w", zkaccel.ErrDeviceReset)
	dev := zkaccel.HostCPU()
	for _, tc := range []struct {
		retries, fails int
		wantErr        bool
	}{{0, 0, false}, {0, 1, true}, {1, 1, false}, {2, 2, false}, {2, 3, true}} {
		var rep Report
		calls := 0
		_, err := Run("test", ecc.BN254, []Option{WithDevice(dev), WithReport(&rep)}, []Option{WithResetRetries(tc.retries)}, ccs, w, func(cfg *Config) (int, error) {
			calls++
			time.Sleep(time.Millisecond)
			if calls <= tc.fails {
				return 0, reset
			}
			cfg.Report.Finish(ecc.BN254, time.Millisecond)
			return 1, nil
		})
		name := fmt.Sprintf("%d retries, %d resets", tc.retries, tc.fails)
		wantCalls := min(tc.fails, tc.retries) + 1
		switch {
		case calls != wantCalls:
			t.Errorf("%s: %d attempts, want %d", name, calls, wantCalls)
		case tc.wantErr != (err != nil), err != nil && !errors.Is(err, zkaccel.ErrDeviceReset):
			t.Errorf("%s: %v", name, err)
		case rep.Retries != calls-1:
			t.Errorf("%s: %d retries in the report, want %d", name, rep.Retries, calls-1)
		case err == nil && calls > 1 && rep.Total < time.Duration(calls)*time.Millisecond:
			t.Errorf("%s: the report's total %v leaves out the lost attempts", name, rep.Total)
		}
	}
	var rep Report
	rep.Add("loading", time.Millisecond, nil)
	if _, err := Run("test", ecc.BN254, []Option{WithDevice(dev), WithReport(&rep), KeepReport()}, nil, ccs, w, func(*Config) (int, error) { return 1, nil }); err != nil || len(rep.Phases) != 1 {
		t.Errorf("KeepReport: %v, %d phases, want the one recorded before", err, len(rep.Phases))
	}
	if _, err := Run("test", ecc.BN254, []Option{WithDevice(dev), WithResetRetries(-3)}, nil, ccs, w, func(*Config) (int, error) { return 1, nil }); err == nil || !strings.Contains(err.Error(), "WithResetRetries(-3)") {
		t.Errorf("Run with -3 retries: %v", err)
	}
}

// square is x² = y.
type square struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *square) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.X, c.X), c.Y)
	return nil
}

// tinyCS is a compiled constraint system of one constraint and a witness
// of it, for Run's checks of its inputs.
func tinyCS(t *testing.T) (constraint.ConstraintSystem, witness.Witness) {
	t.Helper()
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &square{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(&square{X: 3, Y: 9}, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	return ccs, w
}
