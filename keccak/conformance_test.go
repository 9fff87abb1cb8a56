package keccak_test

import (
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench/conformance"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/optest"
)

// TestConformance runs the conformance suite's Keccak cases on every device
// present and on the loopback fake device.
func TestConformance(t *testing.T) { optest.Conformance(t, "keccak", "") }

// TestConformanceFallback runs them on devices that lack the operations:
// every call must fall back to the CPU and say so.
func TestConformanceFallback(t *testing.T) {
	cases := optest.Select(t, true, "keccak", "")
	seed := devtest.Seed(t)
	for _, dev := range []zkaccel.Device{fakedev.Bare, fakedev.Unsupported, fakedev.NewKeccak("keccak, no ops", fakedev.KeccakFuncs{})} {
		t.Run(dev.Name(), func(t *testing.T) { optest.RunCases(t, dev, cases, seed, optest.FallsBack) })
	}
}

// TestConformanceCanFail runs the -short Keccak cases on devices that
// compute a wrong answer, write nothing, or modify their inputs, and checks
// that every case that sends the broken operation to the device fails,
// saying what differed.
func TestConformanceCanFail(t *testing.T) {
	loop := fakedev.LoopbackKeccak()
	flipDigest := loop
	flipDigest.Keccak256 = func(r *zkaccel.KeccakRequest) error {
		err := loop.Keccak256(r)
		r.Out[len(r.Out)-1] ^= 1
		return err
	}
	flipState := loop
	flipState.KeccakF1600 = func(r *zkaccel.KeccakPermuteRequest) error {
		err := loop.KeccakF1600(r)
		r.States[len(r.States)-1] ^= 0x80
		return err
	}
	flipRoot := loop
	flipRoot.Merkle = func(r *zkaccel.MerkleRequest) error {
		err := loop.Merkle(r)
		if len(r.Out) > 0 {
			r.Out[len(r.Out)-1] ^= 1
		}
		return err
	}
	silent := fakedev.KeccakFuncs{
		Keccak256:   func(*zkaccel.KeccakRequest) error { return nil },
		KeccakF1600: func(*zkaccel.KeccakPermuteRequest) error { return nil },
		Merkle:      func(*zkaccel.MerkleRequest) error { return nil },
	}
	for _, f := range []struct {
		name   string
		funcs  fakedev.KeccakFuncs
		prefix string // the cases that must fail
		word   string
		misses func(name string) bool // cases that cannot see the fault
	}{
		{"flips a digest bit", flipDigest, "sum256/", "differs", nil},
		{"flips a state bit", flipState, "f1600/", "differs", nil},
		{"flips a root bit", flipRoot, "merkle/", "differs", func(name string) bool { return name == "merkle/n=1" }},
		{"writes nothing", silent, "", "differs", func(name string) bool { return name == "merkle/n=1" }},
	} {
		t.Run(f.name, func(t *testing.T) {
			dev := fakedev.NewKeccak(f.name, f.funcs)
			for _, c := range optest.Select(t, true, "keccak", f.prefix) {
				err := c.Run(dev, 1)
				switch {
				case f.misses != nil && f.misses(c.Name):
					if err != nil {
						t.Errorf("%s: %v", c.FullName(), err)
					}
				case err == nil:
					t.Errorf("%s passed on a device that %s", c.FullName(), f.name)
				case !strings.Contains(err.Error(), f.word):
					t.Errorf("%s: error %q does not mention %q", c.FullName(), err, f.word)
				}
			}
		})
	}
	// The suite's cases, all of them, on the correct loopback pass.
	for _, c := range conformance.Cases(true, "keccak") {
		if err := c.Run(fakedev.NewKeccak("loopback keccak", loop), 1); err != nil {
			t.Errorf("%s on the loopback: %v", c.FullName(), err)
		}
	}
}
