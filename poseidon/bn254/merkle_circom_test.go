package bn254_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// circomRefTree builds every layer of the circom Poseidon tree over leaves
// one compression at a time, with go-iden3-crypto's poseidon.Hash.
func circomRefTree(t testing.TB, leaves []fr.Element) [][]fr.Element {
	size := 1
	for size < len(leaves) {
		size *= 2
	}
	level := make([]fr.Element, size)
	copy(level, leaves)
	layers := [][]fr.Element{level}
	for len(level) > 1 {
		next := make([]fr.Element, len(level)/2)
		for i := range next {
			next[i] = circomIden3(t, level[2*i:2*i+2])
		}
		layers = append(layers, next)
		level = next
	}
	return layers
}

// TestMerkleCircomKnownAnswer checks trees whose root follows from
// circomlib's known answers: Poseidon(1, 2) over the leaves 1, 2 (and 1, 2,
// 0 padded to four leaves gives Poseidon(Poseidon(1,2), Poseidon(0,0))).
func TestMerkleCircomKnownAnswer(t *testing.T) {
	var want fr.Element
	if _, err := want.SetString("7853200120776062878684798364095072458815029376092732009249414926327459813530"); err != nil {
		t.Fatal(err)
	}
	leaves := []fr.Element{circomElem(1), circomElem(2)}
	circomTargets(t, func(t *testing.T, tg circomTarget) {
		root, err := bn254.MerkleRootCircom(leaves, poseidon.WithDevice(tg.dev))
		if err != nil || !root.Equal(&want) {
			t.Fatalf("root of [1 2] = %s, %v; want %s", root.String(), err, want.String())
		}
		layers, err := bn254.MerkleTreeCircom([]fr.Element{circomElem(1), circomElem(2), {}}, poseidon.WithDevice(tg.dev))
		if err != nil {
			t.Fatal(err)
		}
		var zero fr.Element
		h00, _ := bn254.Poseidon(zero, zero)
		wantRoot, _ := bn254.Poseidon(want, h00)
		if len(layers) != 3 || !layers[1][0].Equal(&want) || !layers[2][0].Equal(&wantRoot) {
			t.Fatalf("tree of [1 2 0]: %v", layers)
		}
	})
}

// TestMerkleCircom checks MerkleTreeCircom and MerkleRootCircom against a
// tree built one compression at a time with go-iden3-crypto, for sizes
// around powers of two, on every target; that the layers have the
// documented shape (zero padding, halving, a capacity that ends each
// layer); and that the leaves are left unmodified.
func TestMerkleCircom(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	sizes := []int{1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 100}
	trees := make(map[int][]fr.Element)
	for _, n := range sizes {
		leaves := inputs.Elements[fr.Element](rng, n)
		if n >= 6 {
			copy(leaves, circomEdges(3)[4]) // 1, r−1, 0
		}
		trees[n] = leaves
	}
	wants := make(map[int][][]fr.Element)
	for n, leaves := range trees {
		wants[n] = circomRefTree(t, leaves)
	}
	circomTargets(t, func(t *testing.T, tg circomTarget) {
		for _, n := range sizes {
			leaves, want := trees[n], wants[n]
			orig := slices.Clone(leaves)
			for _, nb := range []int{0, 1, 3} {
				label := fmt.Sprintf("n=%d nbTasks=%d", n, nb)
				opts := []poseidon.Option{poseidon.WithDevice(tg.dev)}
				if nb > 0 {
					opts = append(opts, poseidon.WithNbTasks(nb))
				}
				var rep zkaccel.Report
				layers, err := bn254.MerkleTreeCircom(leaves, append(opts, poseidon.WithReport(&rep))...)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				if n > 1 {
					tg.check(t, &rep, n)
				}
				if len(layers) != len(want) {
					t.Fatalf("%s: %d layers, want %d", label, len(layers), len(want))
				}
				for k := range want {
					if !slices.Equal(layers[k], want[k]) {
						t.Fatalf("%s: layer %d differs from the reference", label, k)
					}
					if cap(layers[k]) != len(layers[k]) {
						t.Fatalf("%s: layer %d has capacity %d beyond its %d nodes", label, k, cap(layers[k]), len(layers[k]))
					}
				}
				root, err := bn254.MerkleRootCircom(leaves, opts...)
				if err != nil || !root.Equal(&want[len(want)-1][0]) {
					t.Fatalf("%s: MerkleRootCircom = %s, %v; want %s", label, root.String(), err, want[len(want)-1][0].String())
				}
				if !slices.Equal(leaves, orig) {
					t.Fatalf("%s: leaves modified", label)
				}
			}
		}
	})
}

// TestMerkleCircomRequest checks the request a device receives: its hash
// and node size, the padded leaves, room for every layer above them, poisoned
// before the device writes it, and no parameters.
func TestMerkleCircomRequest(t *testing.T) {
	leaves := []fr.Element{circomElem(1), circomElem(2), circomElem(3), circomElem(4), circomElem(5)}
	var req zkaccel.MerkleRequest
	var poisoned bool
	dev := fakedev.NewCircom("recorder", fakedev.CircomFuncs{Merkle: func(r *zkaccel.MerkleRequest) error {
		req = *r
		poisoned = strings.Trim(string(r.Out), "\x00") == string(r.Out)
		return fakedev.LoopbackMerkleCircom(r)
	}})
	layers, err := bn254.MerkleTreeCircom(leaves, poseidon.WithDevice(dev), poseidon.WithNbTasks(2))
	if err != nil {
		t.Fatal(err)
	}
	padded := append(slices.Clone(leaves), fr.Element{}, fr.Element{}, fr.Element{})
	switch {
	case req.Hash != zkaccel.MerklePoseidonCircomBN254 || req.NodeSize != fr.Bytes || req.N != 8 || req.NbTasks != 2:
		t.Fatalf("request %+v: want circom-bn254, 32-byte nodes, N = 8, NbTasks 2", req)
	case string(req.Leaves) != string(unsafe.Slice((*byte)(unsafe.Pointer(&padded[0])), 8*fr.Bytes)):
		t.Fatal("request's leaves are not the padded leaves in gnark-crypto's layout")
	case len(req.Out) != 7*fr.Bytes || len(req.Params) != 0:
		t.Fatalf("request's Out has %d bytes, Params %d; want 224, 0", len(req.Out), len(req.Params))
	case !poisoned:
		t.Fatal("the output buffer was not poisoned before the device ran")
	case unsafe.SliceData(req.Out) != (*byte)(unsafe.Pointer(&layers[1][0])):
		t.Fatal("request's Out is not the returned layers")
	}
	if want := circomRefTree(t, leaves); !slices.Equal(layers[3], want[3]) {
		t.Fatal("root differs")
	}
}

// TestMerkleCircomBadInput checks that bad calls fail with an error naming
// the operation and the problem, on the CPU and on a device; and that a
// failing device's error is returned, not hidden by a fallback.
func TestMerkleCircomBadInput(t *testing.T) {
	leaves := []fr.Element{circomElem(1), circomElem(2), circomElem(3)}
	type call func(leaves []fr.Element, opts ...poseidon.Option) error
	calls := map[string]call{
		"MerkleTreeCircom": func(l []fr.Element, o ...poseidon.Option) error {
			layers, err := bn254.MerkleTreeCircom(l, o...)
			if err != nil && layers != nil {
				t.Fatal("MerkleTreeCircom returned layers with an error")
			}
			return err
		},
		"MerkleRootCircom": func(l []fr.Element, o ...poseidon.Option) error {
			root, err := bn254.MerkleRootCircom(l, o...)
			if err != nil && !root.IsZero() {
				t.Fatal("MerkleRootCircom returned a root with an error")
			}
			return err
		},
	}
	for name, f := range calls {
		t.Run(name, func(t *testing.T) {
			for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} {
				o := poseidon.WithDevice(dev)
				for _, l := range [][]fr.Element{nil, {}} {
					circomWantErr(t, "no leaves", f(l, o), "poseidon circom bn254 merkle", "at least one leaf")
				}
				for _, nb := range []int{0, -1, 1025} {
					circomWantErr(t, "bad NbTasks", f(leaves, o, poseidon.WithNbTasks(nb)), "poseidon circom bn254 merkle", fmt.Sprintf("WithNbTasks(%d)", nb))
				}
			}
			circomWantErr(t, "WithDevice(nil)", f(leaves, poseidon.WithDevice(nil)), "poseidon circom bn254 merkle", "WithDevice(nil)")
			err := f(leaves, poseidon.WithDevice(fakedev.FailingCircom(errCircomFailing)))
			if !errors.Is(err, errCircomFailing) || errors.Is(err, zkaccel.ErrUnsupported) {
				t.Fatalf("failing device: error %v, want one wrapping %q", err, errCircomFailing)
			}
			t.Setenv(zkaccel.EnvDevice, "cuda:7")
			circomWantErr(t, "bad "+zkaccel.EnvDevice, f(leaves), "poseidon circom bn254 merkle", zkaccel.EnvDevice)
			if err := f(leaves, poseidon.WithDevice(zkaccel.HostCPU())); err != nil {
				t.Fatalf("WithDevice(cpu) under a bad %s: %v", zkaccel.EnvDevice, err)
			}
		})
	}
}
