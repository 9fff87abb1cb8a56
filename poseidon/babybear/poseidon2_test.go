package babybear_test

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

	field "github.com/consensys/gnark-crypto/field/babybear"
	"github.com/consensys/gnark-crypto/field/babybear/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/babybear"
)

// The field under test: its op name, its known-answer file and the widths
// gnark-crypto's NewPermutation accepts.
const (
	p2Op      = "poseidon2 babybear"
	p2KATFile = "../../testdata/poseidon/poseidon2_babybear.txt"
)

var p2Widths = []int{16, 24}

// p2Instance is one of gnark-crypto's Poseidon2 instances over the field: a
// width, round counts, and a seed for NewParametersWithSeed ("":
// NewParameters).
type p2Instance struct {
	t, rf, rp int
	seed      string
}

func (w p2Instance) String() string {
	s := fmt.Sprintf("t=%d/rf=%d/rp=%d", w.t, w.rf, w.rp)
	if w.seed != "" {
		s += "/seed=" + w.seed
	}
	return s
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

// p2Instances are, for every width gnark-crypto supports, its default
// instance and another one with the round counts of its tests, a seeded
// instance, and one with an odd number of full rounds (the first ⌊rF/2⌋
// come before the partial rounds).
var p2Instances = func() []p2Instance {
	var out []p2Instance
	for _, t := range p2Widths {
		out = append(out, p2Defaults[t]...)
		out = append(out, p2Instance{t, p2Defaults[t][0].rf, p2Defaults[t][0].rp, "zkaccel"}, p2Instance{t, 3, 5, "odd"})
	}
	return out
}()

// p2Defaults are gnark-crypto's default instances and those of its tests.
var p2Defaults = map[int][]p2Instance{
	16: {{16, 8, 13, ""}, {16, 6, 12, ""}},
	24: {{24, 8, 21, ""}, {24, 6, 19, ""}},
}

// p2Want permutes a copy of states chunk by chunk with gnark-crypto.
func p2Want(t testing.TB, perm *poseidon2.Permutation, width int, states []field.Element) []field.Element {
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
func p2Diff(t testing.TB, what string, got, want []field.Element) {
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

// p2States returns n states of width t drawn with draw, the first three
// (where n ≥ 3) replaced by an all-zero state, an all-(p−1) state and the
// state 0, 1, p−1, 0, 1, p−1, ….
func p2States(t, n int, draw func(int) []field.Element) []field.Element {
	s := draw(n * t)
	var one, minusOne field.Element
	one.SetOne()
	minusOne.Neg(&one)
	if n >= 3 {
		for j := range t {
			s[j].SetZero()
			s[t+j] = minusOne
			s[2*t+j].SetZero()
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

// p2Device is a test device that runs Poseidon2 requests with p2, over
// fakedev.Bare's identity.
type p2Device struct {
	zkaccel.Device
	p2 func(*zkaccel.Poseidon2Request) error
}

func (d *p2Device) Poseidon(*zkaccel.PoseidonRequest) error {
	return fmt.Errorf("zkaccel/fake: poseidon: %w", zkaccel.ErrUnsupported)
}
func (d *p2Device) Poseidon2(r *zkaccel.Poseidon2Request) error { return d.p2(r) }

// p2Loopback runs requests with fakedev.LoopbackPoseidon2.
var p2Loopback zkaccel.Device = &p2Device{fakedev.Bare, fakedev.LoopbackPoseidon2}

// p2OnDevices runs fn on every device present, on fakedev.Loopback and on
// fakedev.LoopbackPoseidon2 behind a test device (where every call must run
// on the device).
func p2OnDevices(t *testing.T, fn func(t *testing.T, dev zkaccel.Device, onDevice bool)) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) { fn(t, dev, false) })
	t.Run("loopback-function", func(t *testing.T) { fn(t, p2Loopback, true) })
	t.Run("fakedev-loopback", func(t *testing.T) { fn(t, fakedev.Loopback, true) })
}

// TestPermute2 compares Permute2 with gnark-crypto's Permutation applied
// chunk by chunk, for every instance, batch sizes around the batched
// kernel's blocks, on every device.
func TestPermute2(t *testing.T) {
	seed := devtest.Seed(t)
	sizes := []int{0, 1, 2, 3, 15, 16, 17, 100, 511, 512, 513, 1100}
	if testing.Short() {
		sizes = []int{0, 1, 3, 17, 300}
	}
	p2OnDevices(t, func(t *testing.T, dev zkaccel.Device, onDevice bool) {
		rng := inputs.NewRand(seed)
		for _, w := range p2Instances {
			params, perm := w.params(), w.perm()
			for _, n := range sizes {
				states := p2States(w.t, n, func(k int) []field.Element { return inputs.Elements[field.Element](rng, k) })
				want := p2Want(t, perm, w.t, states)
				var rep zkaccel.Report
				if err := babybear.Permute2(params, states, poseidon.WithDevice(dev), poseidon.WithReport(&rep)); err != nil {
					t.Fatalf("%v n=%d: %v", w, n, err)
				}
				p2Diff(t, fmt.Sprintf("%v n=%d", w, n), states, want)
				switch {
				case rep.Op != p2Op || rep.N != n || rep.Requested != dev:
					t.Fatalf("%v n=%d: report %v", w, n, &rep)
				case onDevice && (rep.Fallback || rep.Ran != dev):
					t.Fatalf("%v n=%d: ran on %v (fallback %v: %v), want %v", w, n, rep.Ran, rep.Fallback, rep.Reason, dev)
				}
			}
		}
	})
}

// TestPermute2NbTasks checks that the number of goroutines does not change
// the result.
func TestPermute2NbTasks(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	w := p2Instances[0]
	params, perm := w.params(), w.perm()
	states := inputs.Elements[field.Element](rng, 1000*w.t)
	want := p2Want(t, perm, w.t, states)
	for _, k := range []int{1, 2, 3, 7, 1024} {
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), p2Loopback} {
			got := slices.Clone(states)
			if err := babybear.Permute2(params, got, poseidon.WithDevice(dev), poseidon.WithNbTasks(k)); err != nil {
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
	}}
	for _, dev := range []zkaccel.Device{fakedev.Bare, fakedev.Unsupported, unsupported} {
		for _, w := range p2Instances {
			states := inputs.Elements[field.Element](rng, 5*w.t)
			want := p2Want(t, w.perm(), w.t, states)
			var rep zkaccel.Report
			if err := babybear.Permute2(w.params(), states, poseidon.WithDevice(dev), poseidon.WithReport(&rep)); err != nil {
				t.Fatalf("%v on %v: %v", w, dev, err)
			}
			p2Diff(t, fmt.Sprintf("%v on %v", w, dev), states, want)
			if !rep.Fallback || rep.Ran != zkaccel.HostCPU() || !errors.Is(rep.Reason, zkaccel.ErrUnsupported) {
				t.Fatalf("%v on %v: report %v, want a fallback to the CPU", w, dev, &rep)
			}
		}
	}
}

// p2KAT is an instance of the known-answer file and its vectors.
type p2KAT struct {
	header  string
	inst    p2Instance
	listed  bool
	keys    [][]field.Element
	in, out [][]field.Element
}

// p2Parse parses a canonical value in decimal or 0x hex.
func p2Parse(v string) (field.Element, bool) {
	var e field.Element
	b, ok := new(big.Int).SetString(v, 0)
	if !ok || b.Sign() < 0 || b.Cmp(field.Modulus()) >= 0 {
		return e, false
	}
	e.SetBigInt(b)
	return e, true
}

// p2ReadKATs parses the known-answer file (see its header for the format).
func p2ReadKATs(t *testing.T) []*p2KAT {
	t.Helper()
	f, err := os.Open(p2KATFile)
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
			t.Fatalf("%s:%d: %s", p2KATFile, ln, fmt.Sprintf(format, args...))
		}
		if fields[0] == "params" {
			k := &p2KAT{header: sc.Text()}
			for _, kv := range fields[1:] {
				key, val, _ := strings.Cut(kv, "=")
				n, _ := strconv.Atoi(val)
				switch key {
				case "t":
					k.inst.t = n
				case "rf":
					k.inst.rf = n
				case "rp":
					k.inst.rp = n
				case "seed":
					k.inst.seed = val
				case "keys":
					if val != "listed" {
						bad("unknown keys %q", val)
					}
					k.listed = true
				default:
					bad("unknown parameter %q", kv)
				}
			}
			out = append(out, k)
			continue
		}
		if len(out) == 0 {
			bad("%s before params", fields[0])
		}
		k := out[len(out)-1]
		var s []field.Element
		for _, v := range fields[1:] {
			e, ok := p2Parse(v)
			if !ok {
				bad("bad element %q", v)
			}
			s = append(s, e)
		}
		switch fields[0] {
		case "key":
			k.keys = append(k.keys, s)
		case "in", "out":
			if len(s) != k.inst.t {
				bad("%d elements, want %d", len(s), k.inst.t)
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

// TestPermute2KnownAnswers checks Permute2 against the vectors of the
// known-answer file on every device, and that gnark-crypto itself still
// gives those of its instances.
func TestPermute2KnownAnswers(t *testing.T) {
	kats := p2ReadKATs(t)
	if len(kats) < len(p2Widths) {
		t.Fatalf("%d instances in %s", len(kats), p2KATFile)
	}
	p2OnDevices(t, func(t *testing.T, dev zkaccel.Device, onDevice bool) {
		for _, k := range kats {
			params := &poseidon2.Parameters{Width: k.inst.t, NbFullRounds: k.inst.rf, NbPartialRounds: k.inst.rp, RoundKeys: k.keys}
			var perm *poseidon2.Permutation
			if !k.listed {
				params, perm = k.inst.params(), k.inst.perm()
			}
			if len(k.in) == 0 || len(k.in) != len(k.out) {
				t.Fatalf("%s: %d inputs, %d outputs", k.header, len(k.in), len(k.out))
			}
			for i := range k.in {
				got := slices.Clone(k.in[i])
				if err := babybear.Permute2(params, got, poseidon.WithDevice(dev)); err != nil {
					t.Fatalf("%s: %v", k.header, err)
				}
				p2Diff(t, fmt.Sprintf("%s: vector %d", k.header, i), got, k.out[i])
				if perm != nil {
					p2Diff(t, fmt.Sprintf("%s: vector %d (gnark-crypto)", k.header, i), p2Want(t, perm, k.inst.t, k.in[i]), k.out[i])
				}
			}
			// All the vectors at once: one batch.
			var all, want []field.Element
			for i := range k.in {
				all, want = append(all, k.in[i]...), append(want, k.out[i]...)
			}
			if err := babybear.Permute2(params, all, poseidon.WithDevice(dev)); err != nil {
				t.Fatalf("%s: %v", k.header, err)
			}
			p2Diff(t, k.header+": all vectors in one batch", all, want)
		}
	})
}

// errP2Failing is the error of the failing test device.
var errP2Failing = errors.New("simulated kernel failure")

// p2Edit returns a deep copy of gnark-crypto's default parameters for width
// t after edit.
func p2Edit(t int, edit func(p *poseidon2.Parameters)) *poseidon2.Parameters {
	p := *p2Defaults[t][0].params()
	p.RoundKeys = slices.Clone(p.RoundKeys)
	for i := range p.RoundKeys {
		p.RoundKeys[i] = slices.Clone(p.RoundKeys[i])
	}
	edit(&p)
	return &p
}

// TestPermute2BadInput checks that Permute2 rejects inconsistent
// parameters, a length that is not a multiple of the width and bad options
// with an error naming the problem, on the CPU and on a device, without
// panicking and without touching the states; and that a failing device's
// error is returned rather than hidden by a fallback.
func TestPermute2BadInput(t *testing.T) {
	rng := inputs.NewRand(1)
	t0 := p2Widths[0]
	half := p2Defaults[t0][0].rf / 2
	var one field.Element
	one.SetOne()
	calls := []struct {
		name   string
		params *poseidon2.Parameters
		len    int // states, in elements
		opts   []poseidon.Option
		word   string
	}{
		{"nil params", nil, t0, nil, "nil parameters"},
		{"width 0", &poseidon2.Parameters{}, t0, nil, "width 0"},
		{"width 4", poseidon2.NewParametersWithSeed(4, 8, 13, "bad"), 8, nil, "width 4"},
		{"width 3", poseidon2.NewParametersWithSeed(3, 8, 13, "bad"), 6, nil, "width 3"},
		{"width 32", poseidon2.NewParametersWithSeed(32, 8, 13, "bad"), 32, nil, "width 32"},
		{"width -1", &poseidon2.Parameters{Width: -1}, t0, nil, "width -1"},
		{"negative full rounds", &poseidon2.Parameters{Width: t0, NbFullRounds: -2, NbPartialRounds: 2}, t0, nil, "negative"},
		{"negative partial rounds", &poseidon2.Parameters{Width: t0, NbFullRounds: 2, NbPartialRounds: -1, RoundKeys: make([][]field.Element, 1)}, t0, nil, "negative"},
		{"too few rounds of keys", p2Edit(t0, func(p *poseidon2.Parameters) { p.RoundKeys = p.RoundKeys[1:] }), t0, nil, "RoundKeys has"},
		{"too many rounds of keys", p2Edit(t0, func(p *poseidon2.Parameters) { p.NbPartialRounds-- }), t0, nil, "RoundKeys has"},
		{"short full round", p2Edit(t0, func(p *poseidon2.Parameters) { p.RoundKeys[0] = p.RoundKeys[0][:t0-1] }), t0, nil, fmt.Sprintf("RoundKeys[0] has %d keys", t0-1)},
		{"long last round", p2Edit(t0, func(p *poseidon2.Parameters) {
			p.RoundKeys[len(p.RoundKeys)-1] = append(p.RoundKeys[len(p.RoundKeys)-1], one)
		}), t0, nil, fmt.Sprintf("has %d keys", t0+1)},
		{"partial round of 2 keys", p2Edit(t0, func(p *poseidon2.Parameters) { p.RoundKeys[half] = append(p.RoundKeys[half], one) }), t0, nil, fmt.Sprintf("RoundKeys[%d] has 2 keys", half)},
		{"partial round of no key", p2Edit(t0, func(p *poseidon2.Parameters) { p.RoundKeys[half] = nil }), t0, nil, fmt.Sprintf("RoundKeys[%d] has 0 keys", half)},
		{"partial round with a second key", p2Edit(t0, func(p *poseidon2.Parameters) {
			p.RoundKeys[half] = append(p.RoundKeys[half], make([]field.Element, t0-1)...)
			p.RoundKeys[half][2] = one
		}), t0, nil, fmt.Sprintf("RoundKeys[%d][2] is not zero", half)},
		{"one element too many", p2Defaults[t0][0].params(), t0 + 1, nil, fmt.Sprintf("len(states) = %d is not a multiple of the width %d", t0+1, t0)},
		{"one element too few", p2Defaults[t0][0].params(), 2*t0 - 1, nil, fmt.Sprintf("len(states) = %d is not a multiple", 2*t0-1)},
		{"WithNbTasks(0)", p2Defaults[t0][0].params(), t0, []poseidon.Option{poseidon.WithNbTasks(0)}, "WithNbTasks(0)"},
		{"WithNbTasks(-1)", p2Defaults[t0][0].params(), t0, []poseidon.Option{poseidon.WithNbTasks(-1)}, "WithNbTasks(-1)"},
		{"WithNbTasks(1025)", p2Defaults[t0][0].params(), t0, []poseidon.Option{poseidon.WithNbTasks(1025)}, "WithNbTasks(1025)"},
		{"WithDevice(nil)", p2Defaults[t0][0].params(), t0, []poseidon.Option{poseidon.WithDevice(nil)}, "WithDevice(nil)"},
	}
	for _, c := range calls {
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), p2Loopback, fakedev.Loopback} {
			states := inputs.Elements[field.Element](rng, c.len)
			orig := slices.Clone(states)
			opts := append([]poseidon.Option{poseidon.WithDevice(dev)}, c.opts...)
			err := func() (err error) {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s on %v: panic: %v", c.name, dev, p)
					}
				}()
				return babybear.Permute2(c.params, states, opts...)
			}()
			if err == nil || !strings.Contains(err.Error(), "zkaccel: "+p2Op+": ") || !strings.Contains(err.Error(), c.word) {
				t.Errorf("%s on %v: error %v, want one mentioning %q", c.name, dev, err, c.word)
			}
			p2Diff(t, c.name+": states after the failed call", states, orig)
		}
	}

	t.Run("env-device", func(t *testing.T) {
		t.Setenv(zkaccel.EnvDevice, "cuda:7")
		if _, err := zkaccel.Open("cuda:7"); err == nil {
			t.Skip("cuda:7 is present")
		}
		states := inputs.Elements[field.Element](rng, t0)
		orig := slices.Clone(states)
		err := babybear.Permute2(p2Defaults[t0][0].params(), states)
		if err == nil || !strings.Contains(err.Error(), zkaccel.EnvDevice) || !strings.Contains(err.Error(), p2Op) {
			t.Fatalf("error %v", err)
		}
		p2Diff(t, "states", states, orig)
		// An explicit device is obeyed whatever the variable says.
		if err := babybear.Permute2(p2Defaults[t0][0].params(), states, poseidon.WithDevice(zkaccel.HostCPU())); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("failing-device", func(t *testing.T) {
		failing := &p2Device{fakedev.Bare, func(*zkaccel.Poseidon2Request) error { return errP2Failing }}
		err := babybear.Permute2(p2Defaults[t0][0].params(), inputs.Elements[field.Element](rng, t0), poseidon.WithDevice(failing))
		if !errors.Is(err, errP2Failing) {
			t.Fatalf("error %v, want the device's", err)
		}
	})
}

// TestPermute2DeviceFaults checks that the comparison of TestPermute2 sees
// a device that computes nothing, flips a bit of the last element, or
// drops a round key: none may pass.
func TestPermute2DeviceFaults(t *testing.T) {
	w := p2Instances[0]
	states := inputs.Elements[field.Element](inputs.NewRand(2), 4*w.t)
	want := p2Want(t, w.perm(), w.t, states)
	for _, dev := range []*p2Device{
		{fakedev.Bare, func(*zkaccel.Poseidon2Request) error { return nil }},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			err := fakedev.LoopbackPoseidon2(r)
			r.States[len(r.States)-4] ^= 1
			return err
		}},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			size := len(r.RoundKeys) / (r.NbFullRounds*r.Width + r.NbPartialRounds)
			r.NbPartialRounds--
			r.RoundKeys = r.RoundKeys[:len(r.RoundKeys)-size]
			return fakedev.LoopbackPoseidon2(r)
		}},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			r.DiagM1[0] ^= 1
			return fakedev.LoopbackPoseidon2(r)
		}},
	} {
		got := slices.Clone(states)
		if err := babybear.Permute2(w.params(), got, poseidon.WithDevice(dev)); err == nil && slices.Equal(got, want) {
			t.Fatalf("a faulty device passed")
		}
	}
	// A device that writes its inputs (the diagonal) must not change later
	// calls: the front end hands it a copy of its tables.
	got := slices.Clone(states)
	if err := babybear.Permute2(w.params(), got, poseidon.WithDevice(zkaccel.HostCPU())); err != nil {
		t.Fatal(err)
	}
	p2Diff(t, "a CPU call after the faulty devices", got, want)
}

// TestPoseidon2DiagM1 checks that Poseidon2DiagM1 returns a fresh slice of
// the width's length, and nil for other widths. (Its values are checked by
// the known answers: Permute2 computes with them.)
func TestPoseidon2DiagM1(t *testing.T) {
	for _, w := range p2Widths {
		d := babybear.Poseidon2DiagM1(w)
		if len(d) != w {
			t.Fatalf("width %d: %d elements", w, len(d))
		}
		d[0].SetUint64(12345)
		if again := babybear.Poseidon2DiagM1(w); again[0].Equal(&d[0]) {
			t.Fatalf("width %d: the slice returned is shared", w)
		}
	}
	for _, w := range []int{-1, 0, 2, 3, 4, 20, 1 << 20} {
		if d := babybear.Poseidon2DiagM1(w); d != nil {
			t.Fatalf("width %d: %d elements, want nil", w, len(d))
		}
	}
}
