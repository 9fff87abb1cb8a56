package fakedev

import (
	"errors"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	p2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	fbb "github.com/consensys/gnark-crypto/field/babybear"
	p2bb "github.com/consensys/gnark-crypto/field/babybear/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/babybear"
)

// flatKeys flattens RoundKeys as the front ends do: every key of a full
// round, the first of a partial round.
func flatKeys[E any](keys [][]E, t int) []E {
	var out []E
	for _, k := range keys {
		if len(k) == t {
			out = append(out, k...)
		} else {
			out = append(out, k[0])
		}
	}
	return out
}

// p2Request returns a well-formed request of n states for gnark-crypto's
// BN254 instance of width t, and the answer of its Permutation.
func p2Request(t, rf, rp, n int) (*zkaccel.Poseidon2Request, []fr.Element) {
	params := p2bn.NewParameters(t, rf, rp)
	states := inputs.Elements[fr.Element](inputs.NewRand(int64(t)), n*t)
	want := append([]fr.Element(nil), states...)
	perm := p2bn.NewPermutation(t, rf, rp)
	for i := 0; i < len(want); i += t {
		_ = perm.Permutation(want[i : i+t])
	}
	var keys [][]fr.Element
	for r, k := range params.RoundKeys {
		if r >= rf/2 && r < rf/2+rp {
			k = k[:1]
		}
		keys = append(keys, k)
	}
	return &zkaccel.Poseidon2Request{Field: zkaccel.FieldBN254, Width: t, NbFullRounds: rf, NbPartialRounds: rp,
		RoundKeys: rawbytes.Of(flatKeys(keys, t)), DiagM1: rawbytes.Of(append([]fr.Element(nil), params.DiagM1...)),
		N: n, States: rawbytes.Of(states)}, want
}

func TestLoopbackPoseidon2(t *testing.T) {
	for _, w := range [][3]int{{3, 8, 56}, {8, 8, 57}} {
		req, want := p2Request(w[0], w[1], w[2], 5)
		if err := LoopbackPoseidon2(req); err != nil {
			t.Fatal(err)
		}
		if string(req.States) != string(rawbytes.Of(want)) {
			t.Fatalf("t=%d: the loopback differs from gnark-crypto", w[0])
		}
	}
	// BabyBear: the diagonal travels in DiagM1.
	params := p2bb.NewParameters(16, 8, 13)
	states := inputs.Elements[fbb.Element](inputs.NewRand(1), 32)
	want := append([]fbb.Element(nil), states...)
	if err := babybear.Permute2(params, want, babybearCPU()...); err != nil {
		t.Fatal(err)
	}
	bbReq := func() *zkaccel.Poseidon2Request {
		return &zkaccel.Poseidon2Request{Field: zkaccel.FieldBabyBear, Width: 16, NbFullRounds: 8, NbPartialRounds: 13,
			RoundKeys: rawbytes.Of(flatKeys(params.RoundKeys, 16)), DiagM1: rawbytes.Of(babybear.Poseidon2DiagM1(16)),
			N: 2, States: rawbytes.Of(append([]fbb.Element(nil), states...))}
	}
	req := bbReq()
	if err := LoopbackPoseidon2(req); err != nil || string(req.States) != string(rawbytes.Of(want)) {
		t.Fatalf("babybear: %v", err)
	}

	for name, c := range map[string]struct {
		req         func() *zkaccel.Poseidon2Request
		mutate      func(r *zkaccel.Poseidon2Request)
		unsupported bool
		word        string
	}{
		"unknown field":   {nil, func(r *zkaccel.Poseidon2Request) { r.Field = "mersenne31" }, true, "unknown field"},
		"width 1":         {nil, func(r *zkaccel.Poseidon2Request) { r.Width = 1 }, false, "Width = 1"},
		"width 5":         {nil, func(r *zkaccel.Poseidon2Request) { r.Width, r.N = 5, 3 }, false, "RoundKeys"},
		"negative rounds": {nil, func(r *zkaccel.Poseidon2Request) { r.NbFullRounds = -1 }, false, "NbFullRounds = -1"},
		"zero states":     {nil, func(r *zkaccel.Poseidon2Request) { r.N = 0 }, false, "N = 0"},
		"N too large":     {nil, func(r *zkaccel.Poseidon2Request) { r.N++ }, false, "States"},
		"short keys":      {nil, func(r *zkaccel.Poseidon2Request) { r.RoundKeys = r.RoundKeys[:len(r.RoundKeys)-32] }, false, "RoundKeys"},
		"one round more":  {nil, func(r *zkaccel.Poseidon2Request) { r.NbPartialRounds++ }, false, "RoundKeys"},
		"a diagonal":      {nil, func(r *zkaccel.Poseidon2Request) { r.DiagM1 = r.RoundKeys[:96] }, false, "DiagM1"},
		"nbtasks":         {nil, func(r *zkaccel.Poseidon2Request) { r.NbTasks = 2000 }, false, "NbTasks"},
		"unreduced state": {nil, func(r *zkaccel.Poseidon2Request) {
			for i := 0; i < 32; i++ {
				r.States[32+i] = 0xff
			}
		}, false, "States: element 1 is not reduced"},
		"babybear without diagonal": {bbReq, func(r *zkaccel.Poseidon2Request) { r.DiagM1 = nil }, false, "DiagM1"},
		"babybear wrong diagonal":   {bbReq, func(r *zkaccel.Poseidon2Request) { r.DiagM1[4] ^= 1 }, false, "DiagM1: element 1"},
		"babybear width 8":          {bbReq, func(r *zkaccel.Poseidon2Request) { r.Width, r.N = 8, 4 }, false, "Width = 8"},
	} {
		req, _ := p2Request(3, 8, 56, 2)
		if c.req != nil {
			req = c.req()
		}
		c.mutate(req)
		err := LoopbackPoseidon2(req)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) != c.unsupported || !strings.Contains(err.Error(), c.word) {
			t.Errorf("%s: error %v (want ErrUnsupported: %v, mentioning %q)", name, err, c.unsupported, c.word)
		}
	}

	// Only the loopback runs Poseidon2.
	req, _ = p2Request(3, 8, 56, 1)
	for _, d := range []zkaccel.Device{Unsupported, New("custom", nil, nil)} {
		if err := d.(zkaccel.PoseidonDevice).Poseidon2(req); !errors.Is(err, zkaccel.ErrUnsupported) {
			t.Errorf("%v: error %v", d, err)
		}
	}
	if err := Loopback.(zkaccel.PoseidonDevice).Poseidon2(nil); err == nil {
		t.Error("Poseidon2(nil) succeeded")
	}
	if err := Loopback.(zkaccel.PoseidonDevice).Poseidon2(req); err != nil {
		t.Error(err)
	}
}

func TestLoopbackMerklePoseidon2(t *testing.T) {
	params := p2bn.NewParameters(2, 6, 50)
	perm := p2bn.NewPermutation(2, 6, 50)
	leaves := inputs.Elements[fr.Element](inputs.NewRand(5), 4)
	compress := func(l, r fr.Element) fr.Element {
		b, err := perm.Compress(l.Marshal(), r.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		var p fr.Element
		if err := p.SetBytesCanonical(b); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := compress(leaves[0], leaves[1]), compress(leaves[2], leaves[3])
	want := []fr.Element{a, b, compress(a, b)}
	mk := func() *zkaccel.MerkleRequest {
		return &zkaccel.MerkleRequest{Hash: zkaccel.MerklePoseidon2BN254, NodeSize: 32, N: 4,
			Leaves: rawbytes.Of(leaves), Params: rawbytes.Of(flatKeys(params.RoundKeys, 2)),
			NbFullRounds: 6, NbPartialRounds: 50, Out: make([]byte, 3*32)}
	}
	req := mk()
	if err := LoopbackMerklePoseidon2(req); err != nil || string(req.Out) != string(rawbytes.Of(want)) {
		t.Fatalf("loopback tree differs (%v)", err)
	}
	for name, c := range map[string]struct {
		mutate      func(r *zkaccel.MerkleRequest)
		unsupported bool
		word        string
	}{
		"other hash":         {func(r *zkaccel.MerkleRequest) { r.Hash = zkaccel.MerkleKeccak256 }, true, "not poseidon2-bn254"},
		"node size":          {func(r *zkaccel.MerkleRequest) { r.NodeSize = 8 }, false, "NodeSize"},
		"not a power of two": {func(r *zkaccel.MerkleRequest) { r.N = 3 }, false, "power of two"},
		"short leaves":       {func(r *zkaccel.MerkleRequest) { r.Leaves = r.Leaves[:96] }, false, "Leaves"},
		"rounds":             {func(r *zkaccel.MerkleRequest) { r.NbFullRounds = 8 }, false, "Params"},
		"short out":          {func(r *zkaccel.MerkleRequest) { r.Out = r.Out[:64] }, false, "Out"},
	} {
		req := mk()
		c.mutate(req)
		err := LoopbackMerklePoseidon2(req)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) != c.unsupported || !strings.Contains(err.Error(), c.word) {
			t.Errorf("%s: error %v (want ErrUnsupported: %v, mentioning %q)", name, err, c.unsupported, c.word)
		}
	}
}

// babybearCPU are the options of a reference call on the CPU.
func babybearCPU() []poseidon.Option {
	return []poseidon.Option{poseidon.WithDevice(zkaccel.HostCPU())}
}
