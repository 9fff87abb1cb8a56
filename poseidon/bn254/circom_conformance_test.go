package bn254_test

import (
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/optest"
)

// TestCircomConformance runs the conformance suite's circom Poseidon cases
// (poseidon/circom-bn254/…) on every device present, on the loopback (every
// call on the device) and on fakedev.Bare and fakedev.Unsupported (every
// call falls back).
func TestCircomConformance(t *testing.T) {
	cases := optest.Select(t, testing.Short(), "poseidon", "circom-bn254/")
	seed := devtest.Seed(t)
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		optest.RunCases(t, dev, cases, seed, optest.Anywhere)
	})
	t.Run("loopback", func(t *testing.T) { optest.RunCases(t, fakedev.Loopback, cases, seed, optest.OnDevice) })
	for _, dev := range []zkaccel.Device{fakedev.Bare, fakedev.Unsupported} {
		t.Run("fallback/"+dev.String(), func(t *testing.T) { optest.RunCases(t, dev, cases, seed, optest.FallsBack) })
	}
}

// TestCircomConformanceCanFail runs the -short circom cases on broken
// devices — a wrong bit in the last output, no output written, a panic —
// and checks that every case reports the fault. (A device cannot modify
// the caller's inputs: it receives copies, the contiguous input buffer and
// the padded leaves.)
func TestCircomConformanceCanFail(t *testing.T) {
	seed := devtest.Seed(t)
	loop := fakedev.LoopbackCircom()
	for _, f := range []struct {
		name string
		dev  fakedev.CircomFuncs
		word string
	}{
		{"flips a bit of the last output", fakedev.CircomFuncs{
			Poseidon: func(r *zkaccel.PoseidonRequest) error {
				err := loop.Poseidon(r)
				r.Out[len(r.Out)-32] ^= 1
				return err
			},
			Merkle: func(r *zkaccel.MerkleRequest) error {
				err := loop.Merkle(r)
				r.Out[len(r.Out)-32] ^= 1
				return err
			},
		}, "differs"},
		{"writes nothing", fakedev.CircomFuncs{
			Poseidon: func(*zkaccel.PoseidonRequest) error { return nil },
			Merkle:   func(*zkaccel.MerkleRequest) error { return nil },
		}, "differs"},
		{"panics", fakedev.CircomFuncs{
			Poseidon: func(*zkaccel.PoseidonRequest) error { panic("boom") },
			Merkle:   func(*zkaccel.MerkleRequest) error { panic("boom") },
		}, "panic: boom"},
	} {
		t.Run(f.name, func(t *testing.T) {
			dev := fakedev.NewCircom(f.name, f.dev)
			for _, c := range optest.Select(t, true, "poseidon", "circom-bn254/") {
				err := c.Run(dev, seed)
				word := f.word
				if c.Name == "circom-bn254/kat" && word == "differs" {
					word = "want"
				}
				if err == nil {
					t.Errorf("%s passed on a device that %s", c.FullName(), f.name)
				} else if !strings.Contains(err.Error(), word) {
					t.Errorf("%s: error %q does not mention %q", c.FullName(), err, word)
				}
			}
		})
	}
}
