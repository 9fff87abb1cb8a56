package bn254_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// p2RefTree builds the tree one gnark-crypto Compress call at a time, on
// the nodes' canonical bytes, with the leaves zero-padded to a power of two.
func p2RefTree(t testing.TB, perm *poseidon2.Permutation, leaves []fr.Element) [][]fr.Element {
	t.Helper()
	n := 1
	for n < len(leaves) {
		n *= 2
	}
	level := make([]fr.Element, n)
	copy(level, leaves)
	layers := [][]fr.Element{level}
	for len(level) > 1 {
		next := make([]fr.Element, len(level)/2)
		for i := range next {
			l, r := level[2*i].Marshal(), level[2*i+1].Marshal()
			b, err := perm.Compress(l, r)
			if err != nil {
				t.Fatal(err)
			}
			if err := next[i].SetBytesCanonical(b); err != nil {
				t.Fatal(err)
			}
		}
		layers = append(layers, next)
		level = next
	}
	return layers
}

// TestMerklePoseidon2 compares MerkleTreePoseidon2 and MerkleRootPoseidon2
// with trees built one gnark-crypto Compress at a time, for leaf counts
// around powers of two, with gnark-crypto's default width-2 parameters and
// seeded ones, on every device.
func TestMerklePoseidon2(t *testing.T) {
	seed := devtest.Seed(t)
	sizes := []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 64, 100, 129}
	if testing.Short() {
		sizes = []int{1, 2, 3, 5, 8, 100}
	}
	instances := []p2Instance{{2, 6, 50, ""}, {2, 6, 50, "merkle"}}
	p2OnDevices(t, func(t *testing.T, dev zkaccel.Device, onDevice bool) {
		rng := inputs.NewRand(seed)
		for _, w := range instances {
			params, perm := w.params(), w.perm()
			for _, n := range sizes {
				leaves := inputs.Elements[fr.Element](rng, n)
				if n > 3 {
					leaves[1].SetZero()
					leaves[2].SetOne()
					leaves[2].Neg(&leaves[2])
				}
				orig := slices.Clone(leaves)
				want := p2RefTree(t, perm, leaves)
				label := fmt.Sprintf("%v n=%d", w, n)

				var rep zkaccel.Report
				layers, err := bn254.MerkleTreePoseidon2(params, leaves, poseidon.WithDevice(dev), poseidon.WithReport(&rep))
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				p2CheckReport(t, &rep, "merkle poseidon2-bn254", dev, n, onDevice)
				if len(layers) != len(want) {
					t.Fatalf("%s: %d layers, want %d", label, len(layers), len(want))
				}
				for k := range want {
					p2Diff(t, fmt.Sprintf("%s layer %d", label, k), layers[k], want[k])
				}
				root, err := bn254.MerkleRootPoseidon2(params, leaves, poseidon.WithDevice(dev), poseidon.WithReport(&rep))
				if err != nil {
					t.Fatalf("%s: root: %v", label, err)
				}
				p2CheckReport(t, &rep, "merkle poseidon2-bn254", dev, n, onDevice)
				p2Diff(t, label+" root", []fr.Element{root}, want[len(want)-1])
				p2Diff(t, label+" leaves after the calls", leaves, orig)
			}
		}
	})
}

// TestMerklePoseidon2NbTasks checks that the number of goroutines does not
// change the tree.
func TestMerklePoseidon2NbTasks(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	params, perm := poseidon2.NewParameters(2, 6, 50), poseidon2.NewPermutation(2, 6, 50)
	leaves := inputs.Elements[fr.Element](rng, 300)
	want := p2RefTree(t, perm, leaves)
	for _, k := range []int{1, 2, 5, 1024} {
		root, err := bn254.MerkleRootPoseidon2(params, leaves, poseidon.WithNbTasks(k), poseidon.WithDevice(zkaccel.HostCPU()))
		if err != nil {
			t.Fatal(err)
		}
		p2Diff(t, fmt.Sprintf("WithNbTasks(%d)", k), []fr.Element{root}, want[len(want)-1])
	}
}

// TestMerklePoseidon2Fallback checks the fallback of devices that build no
// Poseidon2 tree.
func TestMerklePoseidon2Fallback(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	params, perm := poseidon2.NewParameters(2, 6, 50), poseidon2.NewPermutation(2, 6, 50)
	leaves := inputs.Elements[fr.Element](rng, 13)
	want := p2RefTree(t, perm, leaves)
	for _, dev := range []zkaccel.Device{fakedev.Bare, fakedev.Unsupported} {
		var rep zkaccel.Report
		root, err := bn254.MerkleRootPoseidon2(params, leaves, poseidon.WithDevice(dev), poseidon.WithReport(&rep))
		if err != nil {
			t.Fatal(err)
		}
		p2Diff(t, dev.String(), []fr.Element{root}, want[len(want)-1])
		if !rep.Fallback || rep.Ran != zkaccel.HostCPU() {
			t.Fatalf("%v: report %v, want a fallback", dev, &rep)
		}
	}
}

// TestMerklePoseidon2DeviceFaults checks that the front end returns a
// device's error and that a device that writes nothing, or a wrong node,
// is caught by the comparison of TestMerklePoseidon2.
func TestMerklePoseidon2DeviceFaults(t *testing.T) {
	params, perm := poseidon2.NewParameters(2, 6, 50), poseidon2.NewPermutation(2, 6, 50)
	leaves := inputs.Elements[fr.Element](inputs.NewRand(devtest.Seed(t)), 6)
	want := p2RefTree(t, perm, leaves)
	failing := &p2Device{fakedev.Bare, nil, func(*zkaccel.MerkleRequest) error { return errP2Failing }}
	if _, err := bn254.MerkleTreePoseidon2(params, leaves, poseidon.WithDevice(failing)); err != errP2Failing {
		t.Fatalf("failing device: error %v", err)
	}
	silent := &p2Device{fakedev.Bare, nil, func(*zkaccel.MerkleRequest) error { return nil }}
	root, err := bn254.MerkleRootPoseidon2(params, leaves, poseidon.WithDevice(silent))
	if err != nil || root.Equal(&want[len(want)-1][0]) {
		t.Fatalf("a device that writes nothing gave root %s (%v)", root.String(), err)
	}
	flips := &p2Device{fakedev.Bare, nil, func(r *zkaccel.MerkleRequest) error {
		err := fakedev.LoopbackMerklePoseidon2(r)
		r.Out[0] ^= 1
		return err
	}}
	layers, err := bn254.MerkleTreePoseidon2(params, leaves, poseidon.WithDevice(flips))
	if err != nil || layers[1][0].Equal(&want[1][0]) || !layers[2][0].Equal(&want[2][0]) {
		t.Fatalf("a device that flips a bit of node 0 of layer 1: %v", err)
	}
}

// TestMerklePoseidon2BadInput checks the errors of invalid calls.
func TestMerklePoseidon2BadInput(t *testing.T) {
	leaves := inputs.Elements[fr.Element](inputs.NewRand(1), 4)
	orig := slices.Clone(leaves)
	good := poseidon2.NewParameters(2, 6, 50)
	short := poseidon2.NewParameters(2, 6, 50)
	short.RoundKeys = short.RoundKeys[:10]
	for _, c := range []struct {
		name   string
		params *poseidon2.Parameters
		leaves []fr.Element
		opts   []poseidon.Option
		word   string
	}{
		{"nil params", nil, leaves, nil, "nil parameters"},
		{"width 3", poseidon2.NewParameters(3, 8, 56), leaves, nil, "width 3"},
		{"width 4", poseidon2.NewParameters(4, 8, 56), leaves, nil, "width 4"},
		{"short round keys", short, leaves, nil, "RoundKeys"},
		{"no leaves", good, nil, nil, "at least one leaf"},
		{"empty leaves", good, []fr.Element{}, nil, "at least one leaf"},
		{"nbtasks", good, leaves, []poseidon.Option{poseidon.WithNbTasks(0)}, "WithNbTasks(0)"},
		{"nil device", good, leaves, []poseidon.Option{poseidon.WithDevice(nil)}, "WithDevice(nil)"},
	} {
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), p2Loopback} {
			opts := append([]poseidon.Option{poseidon.WithDevice(dev)}, c.opts...)
			layers, err := p2NoPanic(t, func() ([][]fr.Element, error) { return bn254.MerkleTreePoseidon2(c.params, c.leaves, opts...) })
			if err == nil || layers != nil || !strings.Contains(err.Error(), "zkaccel: merkle poseidon2-bn254: ") || !strings.Contains(err.Error(), c.word) {
				t.Errorf("%s on %v: layers %v, error %v (want one mentioning %q)", c.name, dev, layers != nil, err, c.word)
			}
			if _, err := bn254.MerkleRootPoseidon2(c.params, c.leaves, opts...); err == nil || !strings.Contains(err.Error(), c.word) {
				t.Errorf("%s on %v: root: error %v", c.name, dev, err)
			}
		}
	}
	p2Diff(t, "leaves", leaves, orig)
}
