package goldilocks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/optest"
)

// TestHermezConformance runs the conformance suite's Hermez cases
// (poseidon/hermez-goldilocks/…) on every device present, on the loopback
// (every call on the device) and on fakedev.Bare (every call falls back).
func TestHermezConformance(t *testing.T) {
	cases := optest.Select(t, testing.Short(), "poseidon", "hermez-goldilocks/")
	seed := devtest.Seed(t)
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		optest.RunCases(t, dev, cases, seed, optest.Anywhere)
	})
	t.Run("loopback", func(t *testing.T) { optest.RunCases(t, hermezLoopback(), cases, seed, optest.OnDevice) })
	t.Run("fallback", func(t *testing.T) { optest.RunCases(t, fakedev.Bare, cases, seed, optest.FallsBack) })
}

// TestHermezConformanceCanFail runs the -short Hermez cases on broken
// devices — a wrong bit in one output, no output written, the inputs
// modified, a panic — and checks that every case reports the fault.
func TestHermezConformanceCanFail(t *testing.T) {
	seed := devtest.Seed(t)
	loop := fakedev.LoopbackPoseidonHermez
	for _, f := range []struct {
		name string
		run  func(r *zkaccel.PoseidonRequest) error
		word string
	}{
		{"flips a bit of the last output", func(r *zkaccel.PoseidonRequest) error {
			err := loop(r)
			r.Out[len(r.Out)-8] ^= 1
			return err
		}, "differs"},
		{"writes nothing", func(*zkaccel.PoseidonRequest) error { return nil }, "differs"},
		{"writes its inputs", func(r *zkaccel.PoseidonRequest) error {
			err := loop(r)
			r.In[len(r.In)-1] ^= 0x10
			return err
		}, "inputs were modified"},
		{"panics", func(*zkaccel.PoseidonRequest) error { panic("boom") }, "panic: boom"},
	} {
		t.Run(f.name, func(t *testing.T) {
			dev := &hermezDevice{fakedev.Bare, f.run}
			for _, c := range optest.Select(t, true, "poseidon", "hermez-goldilocks/") {
				err := c.Run(dev, seed)
				if err == nil {
					t.Errorf("%s passed on a device that %s", c.FullName(), f.name)
				} else if !strings.Contains(err.Error(), f.word) && !(c.Name == "hermez-goldilocks/kat" && strings.Contains(err.Error(), "known answer")) {
					t.Errorf("%s: error %q does not mention %q", c.FullName(), err, f.word)
				} else {
					t.Logf("%s: %v", c.FullName(), firstLine(err))
				}
			}
		})
	}
}

func firstLine(err error) string {
	s := fmt.Sprint(err)
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
