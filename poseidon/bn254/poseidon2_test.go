package bn254_test

import (
	"bufio"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strconv"
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

// p2Instance is one of gnark-crypto's BN254 Poseidon2 instances: a width
// with its default round counts, and a seed for NewParametersWithSeed ("":
// NewParameters).
type p2Instance struct {
	t, rf, rp int
	seed      string
}

func (w p2Instance) String() string {
	if w.seed != "" {
		return fmt.Sprintf("t=%d/seed=%s", w.t, w.seed)
	}
	return fmt.Sprintf("t=%d", w.t)
}

// params and perm return gnark-crypto's parameters and permutation.
func (w p2Instance) params() *poseidon2.Parameters {
	if w.seed != "" {
		return poseidon2.NewParametersWithSeed(w.t, w.rf, w.rp, w.seed)
	}
	return poseidon2.NewParameters(w.t, w.rf, w.rp)
}

func (w p2Instance) perm() *poseidon2.Permutation {
	if w.seed != "" {
		return poseidon2.NewPermutationWithSeed(w.t, w.rf, w.rp, w.seed)
	}
	return poseidon2.NewPermutation(w.t, w.rf, w.rp)
}

// p2Instances are every width gnark-crypto supports (NewPermutation
// panics for the others), with its default round counts, and the seeded
// variants it allows (t = 2, 3).
var p2Instances = []p2Instance{
	{2, 6, 50, ""}, {3, 8, 56, ""}, {4, 8, 56, ""}, {8, 8, 57, ""}, {12, 8, 57, ""}, {16, 8, 57, ""},
	{2, 6, 50, "zkaccel"}, {3, 8, 56, "another seed"}, {3, 4, 3, "short"},
}

// p2Want permutes a copy of states chunk by chunk with gnark-crypto.
func p2Want(t testing.TB, perm *poseidon2.Permutation, width int, states []fr.Element) []fr.Element {
	t.Helper()
	want := slices.Clone(states)
	for i := 0; i < len(want); i += width {
		if err := perm.Permutation(want[i : i+width]); err != nil {
			t.Fatal(err)
		}
	}
	return want
}

// p2Diff fails t at the first element where got and want differ.
func p2Diff(t testing.TB, what string, got, want []fr.Element) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !got[i].Equal(&want[i]) {
			t.Fatalf("%s: element %d of %d: got %s, want %s", what, i, len(got), got[i].String(), want[i].String())
		}
	}
}

// p2States returns n random states of width t with the edge values 0, 1
// and p−1 mixed in, an all-zero state and an all-(p−1) state.
func p2States(t, n int, draw func(int) []fr.Element) []fr.Element {
	s := draw(n * t)
	var one, minusOne fr.Element
	one.SetOne()
	minusOne.Neg(&one)
	if n >= 3 {
		for j := range t {
			s[j].SetZero()        // state 0: all zero
			s[t+j] = minusOne     // state 1: all p−1
			s[2*t+j].SetUint64(0) // state 2: 0, 1, p−1, …
			switch j % 3 {
			case 1:
				s[2*t+j] = one
			case 2:
				s[2*t+j] = minusOne
			}
		}
	}
	return s
}

// p2Device is a test device that runs Poseidon2 and Merkle requests with
// the functions given, over fakedev.Bare's identity.
type p2Device struct {
	zkaccel.Device
	p2     func(*zkaccel.Poseidon2Request) error
	merkle func(*zkaccel.MerkleRequest) error
}

func (d *p2Device) Poseidon(*zkaccel.PoseidonRequest) error {
	return fmt.Errorf("zkaccel/fake: poseidon: %w", zkaccel.ErrUnsupported)
}
func (d *p2Device) Poseidon2(r *zkaccel.Poseidon2Request) error { return d.p2(r) }
func (d *p2Device) Merkle(r *zkaccel.MerkleRequest) error       { return d.merkle(r) }

// p2Loopback runs both requests with fakedev's loopback functions.
var p2Loopback zkaccel.Device = &p2Device{fakedev.Bare, fakedev.LoopbackPoseidon2, fakedev.LoopbackMerklePoseidon2}

// p2OnDevices runs fn on every device present, on the loopback functions
// behind a test device (where every call must run on the device), and on
// fakedev.Loopback where it implements the request interfaces.
func p2OnDevices(t *testing.T, fn func(t *testing.T, dev zkaccel.Device, onDevice bool)) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) { fn(t, dev, false) })
	t.Run("loopback-functions", func(t *testing.T) { fn(t, p2Loopback, true) })
	t.Run("fakedev-loopback", func(t *testing.T) {
		if _, ok := fakedev.Loopback.(zkaccel.PoseidonDevice); !ok {
			t.Skip("fakedev.Loopback does not implement zkaccel.PoseidonDevice (its Poseidon method has not landed)")
		}
		fn(t, fakedev.Loopback, true)
	})
}

// p2CheckReport checks that a call of n states on dev ran there (when
// onDevice) or anywhere consistent.
func p2CheckReport(t *testing.T, rep *zkaccel.Report, op string, dev zkaccel.Device, n int, onDevice bool) {
	t.Helper()
	switch {
	case rep.Op != op || rep.N != n || rep.Requested != dev:
		t.Fatalf("report %+v, want op %q, N %d, requested %v", rep, op, n, dev)
	case onDevice && (rep.Fallback || rep.Ran != dev):
		t.Fatalf("ran on %v (fallback %v: %v), want %v", rep.Ran, rep.Fallback, rep.Reason, dev)
	}
}

// TestPermute2 compares Permute2 with gnark-crypto's Permutation applied
// chunk by chunk, for every instance gnark-crypto supports, batch sizes
// around the batched kernel's blocks, on every device.
func TestPermute2(t *testing.T) {
	seed := devtest.Seed(t)
	sizes := []int{0, 1, 2, 3, 7, 8, 9, 33, 64, 65, 130}
	if testing.Short() {
		sizes = []int{0, 1, 3, 9, 65}
	}
	p2OnDevices(t, func(t *testing.T, dev zkaccel.Device, onDevice bool) {
		rng := inputs.NewRand(seed)
		for _, w := range p2Instances {
			params, perm := w.params(), w.perm()
			for _, n := range sizes {
				states := p2States(w.t, n, func(k int) []fr.Element { return inputs.Elements[fr.Element](rng, k) })
				want := p2Want(t, perm, w.t, states)
				var rep zkaccel.Report
				if err := bn254.Permute2(params, states, poseidon.WithDevice(dev), poseidon.WithReport(&rep)); err != nil {
					t.Fatalf("%v n=%d: %v", w, n, err)
				}
				p2Diff(t, fmt.Sprintf("%v n=%d", w, n), states, want)
				p2CheckReport(t, &rep, "poseidon2 bn254", dev, n, onDevice)
			}
		}
	})
}

// TestPermute2NbTasks checks that the number of goroutines does not change
// the result.
func TestPermute2NbTasks(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	w := p2Instances[1]
	params, perm := w.params(), w.perm()
	states := inputs.Elements[fr.Element](rng, 200*w.t)
	want := p2Want(t, perm, w.t, states)
	for _, k := range []int{1, 2, 3, 7, 1024} {
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), p2Loopback} {
			got := slices.Clone(states)
			if err := bn254.Permute2(params, got, poseidon.WithDevice(dev), poseidon.WithNbTasks(k)); err != nil {
				t.Fatal(err)
			}
			p2Diff(t, fmt.Sprintf("WithNbTasks(%d) on %v", k, dev), got, want)
		}
	}
}

// TestPermute2Fallback checks that devices lacking the operation fall back
// to the CPU, say so, and give gnark-crypto's answer.
func TestPermute2Fallback(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	unsupported := &p2Device{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
		return fmt.Errorf("test: poseidon2 %s: %w", r.Field, zkaccel.ErrUnsupported)
	}, nil}
	for _, dev := range []zkaccel.Device{fakedev.Bare, fakedev.Unsupported, unsupported} {
		for _, w := range p2Instances[:6] {
			states := inputs.Elements[fr.Element](rng, 5*w.t)
			want := p2Want(t, w.perm(), w.t, states)
			var rep zkaccel.Report
			if err := bn254.Permute2(w.params(), states, poseidon.WithDevice(dev), poseidon.WithReport(&rep)); err != nil {
				t.Fatalf("%v on %v: %v", w, dev, err)
			}
			p2Diff(t, fmt.Sprintf("%v on %v", w, dev), states, want)
			if !rep.Fallback || rep.Ran != zkaccel.HostCPU() || !errors.Is(rep.Reason, zkaccel.ErrUnsupported) {
				t.Fatalf("%v on %v: report %v, want a fallback to the CPU", w, dev, &rep)
			}
		}
	}
}

// p2KAT is an instance of testdata/poseidon/poseidon2_bn254.txt and its
// vectors.
type p2KAT struct {
	header  string
	t       int
	rf, rp  int
	seed    string
	keys    string
	in, out [][]fr.Element
}

// p2ReadKATs parses a known-answer file (see its header for the format).
func p2ReadKATs(t *testing.T, path string) []*p2KAT {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*p2KAT
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for ln := 1; sc.Scan(); ln++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		bad := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("%s:%d: %s", path, ln, fmt.Sprintf(format, args...))
		}
		switch fields[0] {
		case "params":
			k := &p2KAT{header: sc.Text()}
			for _, kv := range fields[1:] {
				key, val, _ := strings.Cut(kv, "=")
				n, _ := strconv.Atoi(val)
				switch key {
				case "t":
					k.t = n
				case "rf":
					k.rf = n
				case "rp":
					k.rp = n
				case "seed":
					k.seed = val
				case "keys":
					k.keys = val
				default:
					bad("unknown parameter %q", kv)
				}
			}
			out = append(out, k)
		case "in", "out":
			if len(out) == 0 {
				bad("%s before params", fields[0])
			}
			k := out[len(out)-1]
			if len(fields)-1 != k.t {
				bad("%d elements, want %d", len(fields)-1, k.t)
			}
			s := make([]fr.Element, k.t)
			for i, v := range fields[1:] {
				b, ok := new(big.Int).SetString(v, 0)
				if !ok || b.Cmp(fr.Modulus()) >= 0 {
					bad("bad element %q", v)
				}
				s[i].SetBigInt(b)
			}
			if fields[0] == "in" {
				k.in = append(k.in, s)
			} else {
				k.out = append(k.out, s)
			}
		default:
			bad("unknown line")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPermute2KnownAnswers checks Permute2 against the vectors of
// testdata/poseidon/poseidon2_bn254.txt on every device, and that
// gnark-crypto itself still gives them.
func TestPermute2KnownAnswers(t *testing.T) {
	kats := p2ReadKATs(t, "../../testdata/poseidon/poseidon2_bn254.txt")
	if len(kats) < 9 {
		t.Fatalf("%d instances in the known-answer file", len(kats))
	}
	p2OnDevices(t, func(t *testing.T, dev zkaccel.Device, onDevice bool) {
		for _, k := range kats {
			var params *poseidon2.Parameters
			var perm *poseidon2.Permutation
			switch {
			case k.keys == "horizenlabs-rc3":
				params = bn254.HorizenLabsT3()
			case k.keys != "":
				t.Fatalf("%s: unknown keys", k.header)
			default:
				w := p2Instance{k.t, k.rf, k.rp, k.seed}
				params, perm = w.params(), w.perm()
			}
			if len(k.in) == 0 || len(k.in) != len(k.out) {
				t.Fatalf("%s: %d inputs, %d outputs", k.header, len(k.in), len(k.out))
			}
			for i := range k.in {
				got := slices.Clone(k.in[i])
				if err := bn254.Permute2(params, got, poseidon.WithDevice(dev)); err != nil {
					t.Fatalf("%s: %v", k.header, err)
				}
				p2Diff(t, fmt.Sprintf("%s vector %d", k.header, i), got, k.out[i])
				if perm != nil {
					p2Diff(t, fmt.Sprintf("%s vector %d (gnark-crypto)", k.header, i), p2Want(t, perm, k.t, k.in[i]), k.out[i])
				}
			}
		}
	})
}

// TestHorizenLabsT3 checks the embedded HorizenLabs constants' shape and
// that every call returns an independent copy.
func TestHorizenLabsT3(t *testing.T) {
	p := bn254.HorizenLabsT3()
	if p.Width != 3 || p.NbFullRounds != 8 || p.NbPartialRounds != 56 || len(p.RoundKeys) != 64 {
		t.Fatalf("HorizenLabsT3() = t=%d rf=%d rp=%d with %d rounds of keys", p.Width, p.NbFullRounds, p.NbPartialRounds, len(p.RoundKeys))
	}
	for r, keys := range p.RoundKeys {
		want := 3
		if r >= 4 && r < 60 {
			want = 1
		}
		if len(keys) != want {
			t.Fatalf("round %d has %d keys; want %d", r, len(keys), want)
		}
		for i := range keys {
			if keys[i].IsZero() {
				t.Fatalf("round %d key %d is zero: a constant failed to parse", r, i)
			}
		}
	}
	p.RoundKeys[0][0].SetZero()
	if q := bn254.HorizenLabsT3(); q.RoundKeys[0][0].IsZero() {
		t.Error("modifying one HorizenLabsT3() result changed the next one")
	}
}
