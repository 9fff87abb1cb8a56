package gpu_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	iden3 "github.com/iden3/go-iden3-crypto/poseidon"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// cpuOnly runs a front end on the CPU.
var cpuOnly = poseidon.WithDevice(zkaccel.HostCPU())

// circomRequest builds a circom request for the inputs (each of width−1
// elements) with a poisoned output.
func circomRequest(in [][]fr.Element) *zkaccel.PoseidonRequest {
	var flat []fr.Element
	for _, x := range in {
		flat = append(flat, x...)
	}
	req := &zkaccel.PoseidonRequest{
		Variant: zkaccel.PoseidonCircom, Field: zkaccel.FieldBN254,
		Width: len(in[0]) + 1, N: len(in), In: rawbytes.Of(flat), InLen: len(in[0]),
		Out: make([]byte, fr.Bytes*len(in)), OutLen: 1,
	}
	rawbytes.Poison(req.Out)
	return req
}

// circomInputs cuts els into n hashes' inputs of k elements, and sets 0,
// (1) and r−1 in the first.
func circomInputs(n, k int, els []fr.Element) [][]fr.Element {
	out := make([][]fr.Element, n)
	for i := range out {
		out[i] = els[i*k : (i+1)*k]
	}
	out[0][0].SetZero()
	out[0][k-1].SetOne()
	out[0][k-1].Neg(&out[0][k-1])
	if k > 2 {
		out[0][1].SetOne()
	}
	return out
}

// TestPoseidonCircom compares the device's circom Poseidon with
// poseidon/bn254.PoseidonBatch on the CPU for every width 2 to 17 (on
// seeded random inputs with 0, 1 and r−1), with go-iden3-crypto on the
// first hash of each width, and with the known answers of
// testdata/poseidon/circom_bn254.txt.
// checkCircomBatch hashes in on d and compares with the CPU's hashes,
// which it returns.
func checkCircomBatch(t *testing.T, d *gpu.Device, in [][]fr.Element) []fr.Element {
	t.Helper()
	req := circomRequest(in)
	if err := d.Poseidon(req); err != nil {
		t.Fatalf("t=%d: %v", len(in[0])+1, err)
	}
	want, err := bn254.PoseidonBatch(in, cpuOnly)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(req.Out, rawbytes.Of(want)) {
		t.Fatalf("t=%d: the device's hashes differ from the CPU's", len(in[0])+1)
	}
	return want
}

func TestPoseidonCircom(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		n := 19
		for w := 2; w <= 17; w++ {
			k := w - 1
			in := circomInputs(n, k, inputs.Elements[fr.Element](rng, n*k))
			want := checkCircomBatch(t, d, in)
			big0 := make([]*big.Int, k)
			for j := range big0 {
				big0[j] = in[0][j].BigInt(new(big.Int))
			}
			ref, err := iden3.Hash(big0)
			if err != nil {
				t.Fatal(err)
			}
			if want[0].BigInt(new(big.Int)).Cmp(ref) != 0 { // the device's, compared above
				t.Fatalf("t=%d: hash 0 is %s, go-iden3-crypto says %s", w, want[0].String(), ref)
			}
		}
		for _, kat := range readKATs(t, "../testdata/poseidon/circom_bn254.txt") {
			if strings.HasPrefix(kat.in[0], "init=") {
				continue // a non-zero initial state: the permutation only
			}
			in := make([]fr.Element, len(kat.in))
			for i, s := range kat.in {
				in[i].SetBigInt(parseInt(t, s))
			}
			req := circomRequest([][]fr.Element{in})
			if err := d.Poseidon(req); err != nil {
				t.Fatalf("%s: %v", kat.name, err)
			}
			var want fr.Element
			want.SetBigInt(parseInt(t, kat.out[0]))
			if !bytes.Equal(req.Out, rawbytes.Of([]fr.Element{want})) {
				t.Errorf("%s: wrong hash", kat.name)
			}
		}
	})
}

// hermezRequest builds a Hermez request with a poisoned output.
func hermezRequest(states [][12]fgl.Element) *zkaccel.PoseidonRequest {
	req := &zkaccel.PoseidonRequest{
		Variant: zkaccel.PoseidonHermez, Field: zkaccel.FieldGoldilocks, Width: 12,
		N: len(states), In: rawbytes.Of(states), InLen: 12, Out: make([]byte, 32*len(states)), OutLen: 4,
	}
	rawbytes.Poison(req.Out)
	return req
}

// checkHermezBatch hashes states on d and compares with the CPU's hashes.
func checkHermezBatch(t *testing.T, d *gpu.Device, states [][12]fgl.Element) {
	t.Helper()
	req := hermezRequest(states)
	if err := d.Poseidon(req); err != nil {
		t.Fatal(err)
	}
	want, err := goldilocks.HashHermezBatch(states, cpuOnly)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(req.Out, rawbytes.Of(want)) {
		t.Fatalf("n=%d: the device's hashes differ from the CPU's", len(states))
	}
}

// TestPoseidonHermez compares the device's Hermez Poseidon with
// poseidon/goldilocks.HashHermezBatch on seeded random states (with 0, 1
// and p−1), and with the known answers of testdata/poseidon
// (hermez_goldilocks.txt; the first 4 elements of
// hermez_goldilocks_fullstate.txt).
func TestPoseidonHermez(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		for _, n := range []int{1, 53} {
			els := inputs.Elements[fgl.Element](rng, 12*n)
			els[0].SetZero()
			els[1].SetOne()
			els[11].SetOne()
			els[11].Neg(&els[11])
			states := make([][12]fgl.Element, n)
			copy(rawbytes.Of(states), rawbytes.Of(els))
			checkHermezBatch(t, d, states)
		}
		p := fgl.Modulus()
		for _, file := range []string{"hermez_goldilocks.txt", "hermez_goldilocks_fullstate.txt"} {
			for _, kat := range readKATs(t, "../testdata/poseidon/"+file) {
				var s [12]fgl.Element
				for i, v := range kat.in {
					s[i].SetBigInt(new(big.Int).Mod(parseInt(t, v), p))
				}
				req := hermezRequest([][12]fgl.Element{s})
				if err := d.Poseidon(req); err != nil {
					t.Fatalf("%s: %v", kat.name, err)
				}
				var want [4]fgl.Element
				for i := range want {
					want[i].SetBigInt(parseInt(t, kat.out[i]))
				}
				if !bytes.Equal(req.Out, rawbytes.Of(want[:])) {
					t.Errorf("%s %s: wrong hash", file, kat.name)
				}
			}
		}
	})
}

// TestPoseidonBadRequests checks that requests the CPU devices report as
// unsupported are ErrUnsupported here, that malformed ones are other
// errors, and that neither writes the output.
func TestPoseidonBadRequests(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		circom := func() *zkaccel.PoseidonRequest {
			return circomRequest(circomInputs(2, 2, inputs.Elements[fr.Element](rng, 4)))
		}
		hermez := func() *zkaccel.PoseidonRequest {
			return hermezRequest(make([][12]fgl.Element, 2))
		}
		type mod = func(r *zkaccel.PoseidonRequest)
		for _, c := range []struct {
			name        string
			base        func() *zkaccel.PoseidonRequest
			mod         mod
			unsupported bool
		}{
			{"unknown variant", circom, func(r *zkaccel.PoseidonRequest) { r.Variant = "neptune" }, true},
			{"circom goldilocks", circom, func(r *zkaccel.PoseidonRequest) { r.Field = zkaccel.FieldGoldilocks }, true},
			{"circom width 18", circom, func(r *zkaccel.PoseidonRequest) { r.Width = 18 }, true},
			{"circom width 1", circom, func(r *zkaccel.PoseidonRequest) { r.Width = 1 }, true},
			{"circom InLen", circom, func(r *zkaccel.PoseidonRequest) { r.InLen = 3 }, false},
			{"circom OutLen", circom, func(r *zkaccel.PoseidonRequest) { r.OutLen = 2 }, false},
			{"circom N=0", circom, func(r *zkaccel.PoseidonRequest) { r.N = 0 }, false},
			{"circom short in", circom, func(r *zkaccel.PoseidonRequest) { r.In = r.In[:100] }, false},
			{"circom short out", circom, func(r *zkaccel.PoseidonRequest) { r.Out = r.Out[:63] }, false},
			{"circom unreduced", circom, func(r *zkaccel.PoseidonRequest) { copy(r.In[32:], bytes.Repeat([]byte{0xff}, 32)) }, false},
			{"circom NbTasks", circom, func(r *zkaccel.PoseidonRequest) { r.NbTasks = -3 }, false},
			{"hermez bn254", hermez, func(r *zkaccel.PoseidonRequest) { r.Field = zkaccel.FieldBN254 }, true},
			{"hermez width 8", hermez, func(r *zkaccel.PoseidonRequest) { r.Width = 8 }, false},
			{"hermez OutLen", hermez, func(r *zkaccel.PoseidonRequest) { r.OutLen = 12 }, false},
			{"hermez unreduced", hermez, func(r *zkaccel.PoseidonRequest) { copy(r.In[8:16], bytes.Repeat([]byte{0xff}, 8)) }, false},
			{"hermez short in", hermez, func(r *zkaccel.PoseidonRequest) { r.In = r.In[:8] }, false},
		} {
			r := c.base()
			c.mod(r)
			before := bytes.Clone(r.Out)
			err := d.Poseidon(r)
			if err == nil || errors.Is(err, zkaccel.ErrUnsupported) != c.unsupported {
				t.Errorf("%s: err = %v, want unsupported=%v", c.name, err, c.unsupported)
			}
			if !bytes.Equal(r.Out, before) {
				t.Errorf("%s: the output was written", c.name)
			}
		}
		if err := d.Poseidon(nil); err == nil {
			t.Error("nil request: no error")
		}
	})
}

// FuzzPoseidonCircom compares the device with the CPU on fuzzed inputs
// (the bytes reduced into elements) of fuzzed widths.
func FuzzPoseidonCircom(f *testing.F) {
	f.Add([]byte{1, 2, 3}, uint8(1))
	f.Add(bytes.Repeat([]byte{0xff}, 200), uint8(15))
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		inLen := int(k%16) + 1
		in := make([]fr.Element, inLen)
		for i := range in {
			lo := min(len(data), i*8)
			in[i].SetBytes(data[lo:min(len(data), lo+40)])
		}
		forEachGPU(t, func(t *testing.T, d *gpu.Device) {
			req := circomRequest([][]fr.Element{in})
			if err := d.Poseidon(req); err != nil {
				t.Fatal(err)
			}
			want, err := bn254.Poseidon(in...)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(req.Out, rawbytes.Of([]fr.Element{want})) {
				t.Fatal("the device's hash differs from the CPU's")
			}
		})
	})
}

// BenchmarkPoseidon hashes 2^k inputs with circom (widths 3 and 17) and
// Hermez.
func BenchmarkPoseidon(b *testing.B) {
	hashBench(b, func(b *testing.B, d *gpu.Device) {
		for _, logN := range []int{10, 16} {
			n := 1 << logN
			rng := inputs.NewRand(1)
			for _, w := range []int{3, 17} {
				req := circomRequest(circomInputs(n, w-1, inputs.Elements[fr.Element](rng, n*(w-1))))
				b.Run(fmt.Sprintf("circom/t=%d/2^%d", w, logN), func(b *testing.B) {
					for b.Loop() {
						if err := d.Poseidon(req); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			states := make([][12]fgl.Element, n)
			copy(rawbytes.Of(states), rawbytes.Of(inputs.Elements[fgl.Element](rng, 12*n)))
			req := hermezRequest(states)
			b.Run(fmt.Sprintf("hermez/2^%d", logN), func(b *testing.B) {
				for b.Loop() {
					if err := d.Poseidon(req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// kat is one line of a testdata/poseidon known-answer file:
// "name: in… -> out…".
type kat struct {
	name    string
	in, out []string
}

// readKATs reads the known answers of a testdata file.
func readKATs(t *testing.T, path string) []kat {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []kat
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok1 := strings.Cut(line, ":")
		in, res, ok2 := strings.Cut(rest, "->")
		if !ok1 || !ok2 {
			t.Fatalf("%s: malformed line %q", path, line)
		}
		out = append(out, kat{name: name, in: strings.Fields(in), out: strings.Fields(res)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no known answers", path)
	}
	return out
}

// parseInt parses a decimal or 0x-hex integer.
func parseInt(t *testing.T, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 0)
	if !ok {
		t.Fatalf("not an integer: %q", s)
	}
	return v
}
