package gpu_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	p2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/keccak"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// merkleLayers concatenates the layers above the leaves, bottom-up: what a
// request's Out receives.
func merkleLayers[T any](layers [][]T) []byte {
	var out []byte
	for _, l := range layers[1:] {
		out = append(out, rawbytes.Of(l)...)
	}
	return out
}

// merkleRequest builds a request with a poisoned output of N−1 nodes.
func merkleRequest(h zkaccel.MerkleHash, leaves []byte, n int) *zkaccel.MerkleRequest {
	req := &zkaccel.MerkleRequest{Hash: h, NodeSize: 32, N: n, Leaves: leaves, Out: make([]byte, 32*(n-1))}
	rawbytes.Poison(req.Out)
	return req
}

// p2MerkleParams are the width-2 Poseidon2 parameters of the Merkle tests
// (gnark-crypto's default compression: 6 full, 50 partial rounds).
func p2MerkleParams() (*p2bn.Parameters, []fr.Element) {
	params := p2bn.NewParameters(2, 6, 50)
	return params, p2Flatten(2, 6, 50, params.RoundKeys)
}

// merkleSizes are the leaf counts of the Merkle tests.
func merkleSizes() []int {
	if testing.Short() {
		return []int{1, 2, 4, 64}
	}
	return []int{1, 2, 4, 8, 64, 1024}
}

// TestMerkle builds Keccak-256, Poseidon2 (BN254) and circom (BN254) trees
// on the device and compares every layer with the front ends' CPU trees
// (keccak.MerkleTree, bn254.MerkleTreePoseidon2, bn254.MerkleTreeCircom),
// on seeded random leaves with 0 and r−1 among them.
func TestMerkle(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		params, keys := p2MerkleParams()
		for _, n := range merkleSizes() {
			t.Run(fmt.Sprintf("keccak256/%d", n), func(t *testing.T) {
				leaves := make([][32]byte, n)
				for i := range leaves {
					rng.Read(leaves[i][:])
				}
				req := merkleRequest(zkaccel.MerkleKeccak256, rawbytes.Of(leaves), n)
				if err := d.Merkle(req); err != nil {
					t.Fatal(err)
				}
				want, err := keccak.MerkleTree(leaves, keccak.WithDevice(zkaccel.HostCPU()))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(req.Out, merkleLayers(want)) {
					t.Fatal("the device's layers differ from the CPU's")
				}
			})
			leaves := inputs.Elements[fr.Element](rng, n)
			leaves[0].SetZero()
			leaves[n-1].SetOne()
			leaves[n-1].Neg(&leaves[n-1])
			t.Run(fmt.Sprintf("poseidon2-bn254/%d", n), func(t *testing.T) {
				req := merkleRequest(zkaccel.MerklePoseidon2BN254, rawbytes.Of(leaves), n)
				req.Params, req.NbFullRounds, req.NbPartialRounds = rawbytes.Of(keys), 6, 50
				if err := d.Merkle(req); err != nil {
					t.Fatal(err)
				}
				want, err := bn254.MerkleTreePoseidon2(params, leaves, cpuOnly)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(req.Out, merkleLayers(want)) {
					t.Fatal("the device's layers differ from the CPU's")
				}
			})
			t.Run(fmt.Sprintf("circom-bn254/%d", n), func(t *testing.T) {
				req := merkleRequest(zkaccel.MerklePoseidonCircomBN254, rawbytes.Of(leaves), n)
				if err := d.Merkle(req); err != nil {
					t.Fatal(err)
				}
				want, err := bn254.MerkleTreeCircom(leaves, cpuOnly)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(req.Out, merkleLayers(want)) {
					t.Fatal("the device's layers differ from the CPU's")
				}
			})
		}
	})
}

// TestMerkleBadRequests checks that an unknown hash is ErrUnsupported and
// that malformed requests are other errors, none writing the output.
func TestMerkleBadRequests(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		_, keys := p2MerkleParams()
		kl := make([]byte, 32*4)
		rng.Read(kl)
		fl := rawbytes.Of(inputs.Elements[fr.Element](rng, 4))
		kec := func() *zkaccel.MerkleRequest { return merkleRequest(zkaccel.MerkleKeccak256, bytes.Clone(kl), 4) }
		p2 := func() *zkaccel.MerkleRequest {
			r := merkleRequest(zkaccel.MerklePoseidon2BN254, bytes.Clone(fl), 4)
			r.Params, r.NbFullRounds, r.NbPartialRounds = rawbytes.Of(keys), 6, 50
			return r
		}
		cir := func() *zkaccel.MerkleRequest {
			return merkleRequest(zkaccel.MerklePoseidonCircomBN254, bytes.Clone(fl), 4)
		}
		type mod = func(r *zkaccel.MerkleRequest)
		for _, c := range []struct {
			name        string
			base        func() *zkaccel.MerkleRequest
			mod         mod
			unsupported bool
		}{
			{"unknown hash", kec, func(r *zkaccel.MerkleRequest) { r.Hash = "sha256" }, true},
			{"keccak N=3", kec, func(r *zkaccel.MerkleRequest) { r.N = 3 }, false},
			{"keccak N=0", kec, func(r *zkaccel.MerkleRequest) { r.N = 0 }, false},
			{"keccak node size", kec, func(r *zkaccel.MerkleRequest) { r.NodeSize = 64 }, false},
			{"keccak params", kec, func(r *zkaccel.MerkleRequest) { r.Params = []byte{1} }, false},
			{"keccak short out", kec, func(r *zkaccel.MerkleRequest) { r.Out = r.Out[:64] }, false},
			{"keccak short leaves", kec, func(r *zkaccel.MerkleRequest) { r.Leaves = r.Leaves[:100] }, false},
			{"poseidon2 no params", p2, func(r *zkaccel.MerkleRequest) { r.Params = nil }, false},
			{"poseidon2 rounds", p2, func(r *zkaccel.MerkleRequest) { r.NbPartialRounds = 49 }, false},
			{"poseidon2 unreduced leaf", p2, func(r *zkaccel.MerkleRequest) { copy(r.Leaves[32:64], bytes.Repeat([]byte{0xff}, 32)) }, false},
			{"poseidon2 NbTasks", p2, func(r *zkaccel.MerkleRequest) { r.NbTasks = 5000 }, false},
			{"circom params", cir, func(r *zkaccel.MerkleRequest) { r.Params = make([]byte, 32) }, false},
			{"circom unreduced leaf", cir, func(r *zkaccel.MerkleRequest) { copy(r.Leaves[96:], bytes.Repeat([]byte{0xff}, 32)) }, false},
			{"circom short out", cir, func(r *zkaccel.MerkleRequest) { r.Out = r.Out[:32] }, false},
		} {
			r := c.base()
			c.mod(r)
			before := bytes.Clone(r.Out)
			err := d.Merkle(r)
			if err == nil || errors.Is(err, zkaccel.ErrUnsupported) != c.unsupported {
				t.Errorf("%s: err = %v, want unsupported=%v", c.name, err, c.unsupported)
			}
			if !bytes.Equal(r.Out, before) {
				t.Errorf("%s: the output was written", c.name)
			}
		}
		if err := d.Merkle(nil); err == nil {
			t.Error("nil request: no error")
		}
	})
}

// FuzzMerkleKeccak compares the device's Keccak-256 tree with the CPU's on
// fuzzed leaves (the fuzz bytes padded to a power of two of 32-byte
// leaves).
func FuzzMerkleKeccak(f *testing.F) {
	f.Add([]byte{1})
	f.Add(bytes.Repeat([]byte{7}, 200))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 1
		for 32*n < len(data) {
			n *= 2
		}
		leaves := make([][32]byte, n)
		copy(rawbytes.Of(leaves), data)
		forEachGPU(t, func(t *testing.T, d *gpu.Device) {
			req := merkleRequest(zkaccel.MerkleKeccak256, rawbytes.Of(leaves), n)
			if err := d.Merkle(req); err != nil {
				t.Fatal(err)
			}
			want, err := keccak.MerkleTree(leaves, keccak.WithDevice(zkaccel.HostCPU()))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(req.Out, merkleLayers(want)) {
				t.Fatal("the device's layers differ from the CPU's")
			}
		})
	})
}

// BenchmarkMerkle builds trees of 2^k leaves with each hash.
func BenchmarkMerkle(b *testing.B) {
	hashBench(b, func(b *testing.B, d *gpu.Device) {
		_, keys := p2MerkleParams()
		for _, logN := range []int{10, 16} {
			n := 1 << logN
			leaves := rawbytes.Of(inputs.Elements[fr.Element](inputs.NewRand(1), n))
			for _, h := range []zkaccel.MerkleHash{zkaccel.MerkleKeccak256, zkaccel.MerklePoseidon2BN254, zkaccel.MerklePoseidonCircomBN254} {
				req := merkleRequest(h, leaves, n)
				if h == zkaccel.MerklePoseidon2BN254 {
					req.Params, req.NbFullRounds, req.NbPartialRounds = rawbytes.Of(keys), 6, 50
				}
				b.Run(fmt.Sprintf("%s/2^%d", h, logN), func(b *testing.B) {
					for b.Loop() {
						if err := d.Merkle(req); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	})
}
