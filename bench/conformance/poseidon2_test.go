package conformance_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench/conformance"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
)

// p2FaultyDevice runs Poseidon2 and Merkle requests with the given
// functions, over fakedev.Bare's identity.
type p2FaultyDevice struct {
	zkaccel.Device
	p2     func(*zkaccel.Poseidon2Request) error
	merkle func(*zkaccel.MerkleRequest) error
}

func (d *p2FaultyDevice) Poseidon(*zkaccel.PoseidonRequest) error {
	return fmt.Errorf("test: poseidon: %w", zkaccel.ErrUnsupported)
}
func (d *p2FaultyDevice) Poseidon2(r *zkaccel.Poseidon2Request) error { return d.p2(r) }
func (d *p2FaultyDevice) Merkle(r *zkaccel.MerkleRequest) error       { return d.merkle(r) }
func (d *p2FaultyDevice) Name() string                                { return "p2-faulty" }

// TestPoseidon2SuiteCanFail runs the -short Poseidon2 cases on devices that
// compute a wrong element, compute nothing, or panic, and checks that every
// case reports the fault.
func TestPoseidon2SuiteCanFail(t *testing.T) {
	seed := devtest.Seed(t)
	for _, f := range []struct {
		name string
		dev  zkaccel.Device
		word string
	}{{
		"flips a bit of the last state",
		&p2FaultyDevice{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			err := fakedev.LoopbackPoseidon2(r)
			r.States[len(r.States)-r.Width] ^= 1
			return err
		}, func(r *zkaccel.MerkleRequest) error {
			err := fakedev.LoopbackMerklePoseidon2(r)
			if len(r.Out) > 0 {
				r.Out[len(r.Out)-r.NodeSize] ^= 1 // the root
			} else {
				r.Leaves[0] ^= 1 // a single leaf: write the input instead
			}
			return err
		}},
		"differ",
	}, {
		"writes nothing",
		&p2FaultyDevice{fakedev.Bare, func(*zkaccel.Poseidon2Request) error { return nil },
			func(r *zkaccel.MerkleRequest) error {
				if r.N == 1 {
					r.Leaves[0] ^= 1 // nothing to write: corrupt the input instead
				}
				return nil
			}},
		"",
	}, {
		"panics",
		&p2FaultyDevice{fakedev.Bare, func(*zkaccel.Poseidon2Request) error { panic("boom") },
			func(*zkaccel.MerkleRequest) error { panic("boom") }},
		"panic: boom",
	}} {
		t.Run(f.name, func(t *testing.T) {
			cases := conformance.Cases(true, "poseidon2")
			if len(cases) == 0 {
				t.Fatal("no poseidon2 cases")
			}
			for _, c := range cases {
				err := c.Run(f.dev, seed)
				switch {
				case err == nil:
					t.Errorf("%s passed on a device that %s", c.FullName(), f.name)
				case !strings.Contains(err.Error(), f.word):
					t.Errorf("%s: error %q does not mention %q", c.FullName(), err, f.word)
				}
			}
		})
	}
}
