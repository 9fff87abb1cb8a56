package keccak_test

import (
	"errors"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/merkle"
	"github.com/zkaccel/zkaccel/keccak"
)

// refTree builds the tree one compression at a time with x/crypto, padding
// with zero leaves to a power of two.
func refTree(leaves [][32]byte) [][][32]byte {
	size := 1
	for size < len(leaves) {
		size *= 2
	}
	level := make([][32]byte, size)
	copy(level, leaves)
	layers := [][][32]byte{level}
	for len(level) > 1 {
		next := make([][32]byte, len(level)/2)
		for i := range next {
			next[i] = ref(append(level[2*i][:], level[2*i+1][:]...))
		}
		layers = append(layers, next)
		level = next
	}
	return layers
}

func randomLeaves(rng *rand.Rand, n int) [][32]byte {
	leaves := make([][32]byte, n)
	for i := range leaves {
		rng.Read(leaves[i][:])
	}
	return leaves
}

func equalLayers(a, b [][][32]byte) bool {
	return slices.EqualFunc(a, b, func(x, y [][32]byte) bool { return slices.Equal(x, y) })
}

// TestMerkle compares MerkleTree and MerkleRoot on every device with the
// one-at-a-time tree, for powers of two and the counts around them, and
// checks that the leaves are left as they were.
func TestMerkle(t *testing.T) {
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	sizes := []int{1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 100, 1023, 1024, 1025}
	forEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		for _, n := range sizes {
			leaves := randomLeaves(rng, n)
			orig := slices.Clone(leaves)
			want := refTree(leaves)
			for _, nt := range []int{0, 1, 3} {
				opts, ran := onDevice(t, dev)
				if nt != 0 {
					opts = append(opts, keccak.WithNbTasks(nt))
				}
				layers, err := keccak.MerkleTree(leaves, opts...)
				if err != nil {
					t.Fatalf("n=%d: %v", n, err)
				}
				ran()
				if !equalLayers(layers, want) {
					t.Fatalf("n=%d NbTasks %d: MerkleTree differs from the one-at-a-time tree", n, nt)
				}
				root, err := keccak.MerkleRoot(leaves, opts...)
				if err != nil {
					t.Fatalf("n=%d: %v", n, err)
				}
				ran()
				if root != want[len(want)-1][0] {
					t.Fatalf("n=%d NbTasks %d: MerkleRoot %x, want %x", n, nt, root, want[len(want)-1][0])
				}
				if !slices.Equal(leaves, orig) {
					t.Fatalf("n=%d: the leaves were modified", n)
				}
				// The layers are fresh: writing them leaves the leaves alone.
				layers[0][0][0] ^= 1
				if leaves[0] != orig[0] {
					t.Fatalf("n=%d: layer 0 shares memory with the leaves", n)
				}
			}
		}
	})
}

// TestMerklePadding: a tree of 3 leaves is the tree of [a, b, c, 0]; of 5,
// that of the 5 leaves and three zero leaves; a single leaf is its own
// root; the shape of every layer.
func TestMerklePadding(t *testing.T) {
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	a := randomLeaves(rng, 5)
	for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} {
		three, err := keccak.MerkleTree(a[:3], keccak.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		four, err := keccak.MerkleTree([][32]byte{a[0], a[1], a[2], {}}, keccak.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		if !equalLayers(three, four) {
			t.Errorf("%v: the tree of [a, b, c] is not the tree of [a, b, c, 0]", dev)
		}
		if len(three) != 3 || len(three[0]) != 4 || len(three[1]) != 2 || len(three[2]) != 1 {
			t.Errorf("%v: 3 leaves: layers of %d, want 4, 2, 1", dev, len(three))
		}
		// By hand: parents of (a, b) and (c, 0), then the root.
		ab, c0 := ref(append(a[0][:], a[1][:]...)), ref(append(a[2][:], make([]byte, 32)...))
		if three[1][0] != ab || three[1][1] != c0 || three[2][0] != ref(append(ab[:], c0[:]...)) {
			t.Errorf("%v: 3 leaves: the tree is not Keccak-256(left ‖ right) over [a, b, c, 0]", dev)
		}
		r5, err := keccak.MerkleRoot(a, keccak.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		r8, err := keccak.MerkleRoot(append(slices.Clone(a), [32]byte{}, [32]byte{}, [32]byte{}), keccak.WithDevice(dev))
		if err != nil || r5 != r8 {
			t.Errorf("%v: root of 5 leaves %x, of them padded to 8 %x (%v)", dev, r5, r8, err)
		}
		one, err := keccak.MerkleTree(a[:1], keccak.WithDevice(dev))
		if err != nil || len(one) != 1 || len(one[0]) != 1 || one[0][0] != a[0] {
			t.Errorf("%v: one leaf: %x, %v; want the leaf as the only layer", dev, one, err)
		}
		root, err := keccak.MerkleRoot(a[:1], keccak.WithDevice(dev))
		if err != nil || root != a[0] {
			t.Errorf("%v: one leaf: root %x, %v; want the leaf", dev, root, err)
		}
	}
}

// TestMerkleNoLeaves: no leaves, and bad options, are errors.
func TestMerkleNoLeaves(t *testing.T) {
	for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} {
		for _, leaves := range [][][32]byte{nil, {}} {
			layers, err := keccak.MerkleTree(leaves, keccak.WithDevice(dev))
			if !errors.Is(err, merkle.ErrNoLeaves) || !strings.HasPrefix(err.Error(), "zkaccel: merkle keccak256: ") || layers != nil {
				t.Errorf("%v: MerkleTree(%v) = %v, %v", dev, leaves, layers, err)
			}
			root, err := keccak.MerkleRoot(leaves, keccak.WithDevice(dev))
			if !errors.Is(err, merkle.ErrNoLeaves) || root != ([32]byte{}) {
				t.Errorf("%v: MerkleRoot(%v) = %x, %v", dev, leaves, root, err)
			}
		}
		leaves := [][32]byte{{1}, {2}}
		for _, nt := range []int{0, 1025} {
			if _, err := keccak.MerkleTree(leaves, keccak.WithDevice(dev), keccak.WithNbTasks(nt)); err == nil || !strings.Contains(err.Error(), "merkle keccak256: WithNbTasks") {
				t.Errorf("%v: MerkleTree, WithNbTasks(%d): %v", dev, nt, err)
			}
			if _, err := keccak.MerkleRoot(leaves, keccak.WithDevice(dev), keccak.WithNbTasks(nt)); err == nil || !strings.Contains(err.Error(), "merkle keccak256: WithNbTasks") {
				t.Errorf("%v: MerkleRoot, WithNbTasks(%d): %v", dev, nt, err)
			}
		}
	}
}

// TestMerkleRequest checks the request a device receives: the Keccak-256
// hash, 32-byte nodes, the leaves padded with zeros to a power of two, no
// parameters, a poisoned output of N−1 nodes; and that the layers returned
// are what the device wrote.
func TestMerkleRequest(t *testing.T) {
	leaves := [][32]byte{{1}, {2}, {3}, {4}, {5}}
	var req zkaccel.MerkleRequest
	var leaves0, out0 []byte
	dev := fakedev.NewKeccak("recorder", fakedev.KeccakFuncs{Merkle: func(r *zkaccel.MerkleRequest) error {
		req, leaves0, out0 = *r, slices.Clone(r.Leaves), slices.Clone(r.Out)
		for i := range r.Out {
			r.Out[i] = byte(i / 32)
		}
		return nil
	}})
	layers, err := keccak.MerkleTree(leaves, keccak.WithDevice(dev), keccak.WithNbTasks(2))
	if err != nil {
		t.Fatal(err)
	}
	if req.Hash != zkaccel.MerkleKeccak256 || req.NodeSize != 32 || req.N != 8 || req.Params != nil || req.NbTasks != 2 {
		t.Errorf("request hash %q, node size %d, N %d, params %v, NbTasks %d; want keccak256, 32, 8, none, 2", req.Hash, req.NodeSize, req.N, req.Params, req.NbTasks)
	}
	wantLeaves := make([]byte, 8*32)
	for i := range leaves {
		wantLeaves[32*i] = byte(i + 1)
	}
	if string(leaves0) != string(wantLeaves) {
		t.Errorf("request leaves % x, want the 5 leaves and 3 zero leaves", leaves0)
	}
	if len(out0) != 7*32 || strings.Count(string(out0), "\x00") == len(out0) {
		t.Errorf("request Out: %d bytes (want 224), poisoned: %v", len(out0), strings.Count(string(out0), "\x00") != len(out0))
	}
	if len(layers) != 4 || len(layers[1]) != 4 || len(layers[2]) != 2 || len(layers[3]) != 1 {
		t.Fatalf("layers of %d, want 4 layers of 8, 4, 2, 1", len(layers))
	}
	for k, node := 1, 0; k < 4; k++ {
		for i := range layers[k] {
			if layers[k][i][0] != byte(node) || layers[k][i][31] != byte(node) {
				t.Errorf("layer %d node %d: %x, want the device's node %d", k, i, layers[k][i], node)
			}
			node++
		}
	}
	root, err := keccak.MerkleRoot(leaves, keccak.WithDevice(dev))
	if err != nil || root[0] != 6 {
		t.Errorf("MerkleRoot on the recorder: %x, %v; want the device's last node (6)", root, err)
	}
}
