package goldilocks_test

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	field "github.com/consensys/gnark-crypto/field/goldilocks"
	goldenposeidon "github.com/iden3/go-iden3-crypto/goldenposeidon"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// hermezP is the Goldilocks prime.
const hermezP = 0xFFFFFFFF00000001

// hermezKAT is one line of testdata/poseidon/hermez_goldilocks.txt.
type hermezKAT struct {
	name string
	in   [12]uint64 // as written: may be ≥ p
	out  [4]uint64
}

// state returns the case's input reduced modulo p.
func (k hermezKAT) state() [12]field.Element {
	var s [12]field.Element
	for i, v := range k.in {
		s[i].SetUint64(v)
	}
	return s
}

func (k hermezKAT) check(t *testing.T, what string, got [4]field.Element) {
	t.Helper()
	for i := range got {
		if got[i].Uint64() != k.out[i] {
			t.Errorf("%s, %s: output %d = %#x, want %#x", what, k.name, i, got[i].Uint64(), k.out[i])
		}
	}
}

// hermezKATs reads the known answers of testdata/poseidon/hermez_goldilocks.txt.
func hermezKATs(t *testing.T) []hermezKAT {
	t.Helper()
	const path = "../../testdata/poseidon/hermez_goldilocks.txt"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []hermezKAT
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, rest, ok1 := strings.Cut(text, ":")
		ins, outs, ok2 := strings.Cut(rest, "->")
		inF, outF := strings.Fields(ins), strings.Fields(outs)
		if !ok1 || !ok2 || len(inF) != 12 || len(outF) != 4 {
			t.Fatalf("%s:%d: malformed line %q", path, line, text)
		}
		k := hermezKAT{name: name}
		for i, s := range append(inF, outF...) {
			v, err := strconv.ParseUint(s, 0, 64)
			if err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			if i < 12 {
				k.in[i] = v
			} else {
				k.out[i-12] = v
			}
		}
		out = append(out, k)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 7 {
		t.Fatalf("%s: only %d cases", path, len(out))
	}
	return out
}

// hermezSplit splits a 12-element input into HashHermez's arguments.
func hermezSplit(s [12]field.Element) (in [8]field.Element, capacity [4]field.Element) {
	copy(in[:], s[:8])
	copy(capacity[:], s[8:])
	return in, capacity
}

// hermezRef is the reference hash: PermuteHermez, state[0..3].
func hermezRef(s [12]field.Element) [4]field.Element {
	goldilocks.PermuteHermez(&s)
	return [4]field.Element(s[:4])
}

// hermezIden3 hashes s with go-iden3-crypto's goldenposeidon.Hash.
func hermezIden3(t *testing.T, s [12]field.Element) [4]field.Element {
	t.Helper()
	var in [8]uint64
	var capacity [4]uint64
	for i := range in {
		in[i] = s[i].Uint64()
	}
	for i := range capacity {
		capacity[i] = s[8+i].Uint64()
	}
	h, err := goldenposeidon.Hash(in, capacity)
	if err != nil {
		t.Fatalf("goldenposeidon.Hash: %v", err)
	}
	var out [4]field.Element
	for i := range out {
		out[i].SetUint64(h[i])
	}
	return out
}

// hermezDevice is a test device that implements zkaccel.PoseidonDevice with
// a given function (Poseidon2 is unsupported); the rest of zkaccel.Device
// comes from fakedev.Bare.
type hermezDevice struct {
	zkaccel.Device
	run func(*zkaccel.PoseidonRequest) error
}

func (d *hermezDevice) Poseidon(r *zkaccel.PoseidonRequest) error { return d.run(r) }
func (d *hermezDevice) Poseidon2(*zkaccel.Poseidon2Request) error {
	return fmt.Errorf("test device: poseidon2: %w", zkaccel.ErrUnsupported)
}

// hermezLoopback returns fakedev.Loopback where it runs Poseidon requests,
// else a device that runs them with fakedev.LoopbackPoseidonHermez: the
// device path, end to end.
func hermezLoopback() zkaccel.Device {
	if _, ok := fakedev.Loopback.(zkaccel.PoseidonDevice); ok {
		return fakedev.Loopback
	}
	return hermezLoopbackDev
}

var hermezLoopbackDev = &hermezDevice{fakedev.Bare, fakedev.LoopbackPoseidonHermez}

// hermezDevices are the devices every front-end test runs on: those
// present (the CPU always) and the loopback.
func hermezDevices(t *testing.T, fn func(t *testing.T, dev zkaccel.Device)) {
	devtest.ForEachDevice(t, fn)
	t.Run("loopback", func(t *testing.T) { fn(t, hermezLoopback()) })
}

// hermezRandom draws n random 12-element inputs.
func hermezRandom(rng *rand.Rand, n int) [][12]field.Element {
	els := inputs.Elements[field.Element](rng, 12*n)
	out := make([][12]field.Element, n)
	for i := range out {
		copy(out[i][:], els[12*i:])
	}
	return out
}

// hermezOnDevice checks that rep says the call ran on dev, or fell back to
// the CPU visibly on a device that does not run Poseidon (an FPGA's).
func hermezOnDevice(t *testing.T, rep *zkaccel.Report, dev zkaccel.Device, n int) {
	t.Helper()
	if p, ok := dev.(zkaccel.PartialDevice); ok && !p.Supports("poseidon") {
		if n > 0 && (!rep.Fallback || rep.Ran != zkaccel.HostCPU()) {
			t.Fatalf("report %+v: want a visible fallback from %v, which does not run Poseidon", rep, dev)
		}
		return
	}
	if rep.Op != "poseidon hermez goldilocks" || rep.N != n || rep.Requested != dev || rep.Ran != dev || rep.Fallback {
		t.Fatalf("report %+v: want op \"poseidon hermez goldilocks\", n=%d, run on %v without fallback", rep, n, dev)
	}
}

// TestHermezKnownAnswers checks the known answers of
// testdata/poseidon/hermez_goldilocks.txt with PermuteHermez, with HashHermez
// and with one HashHermezBatch, on every device.
func TestHermezKnownAnswers(t *testing.T) {
	kats := hermezKATs(t)
	for _, k := range kats {
		s := k.state()
		goldilocks.PermuteHermez(&s)
		k.check(t, "PermuteHermez", [4]field.Element(s[:4]))
	}
	hermezDevices(t, func(t *testing.T, dev zkaccel.Device) {
		batch := make([][12]field.Element, len(kats))
		for i, k := range kats {
			batch[i] = k.state()
			in, capacity := hermezSplit(batch[i])
			var rep zkaccel.Report
			got, err := goldilocks.HashHermez(in, capacity, poseidon.WithDevice(dev), poseidon.WithReport(&rep))
			if err != nil {
				t.Fatal(err)
			}
			hermezOnDevice(t, &rep, dev, 1)
			k.check(t, "HashHermez", got)
		}
		var rep zkaccel.Report
		got, err := goldilocks.HashHermezBatch(batch, poseidon.WithDevice(dev), poseidon.WithReport(&rep))
		if err != nil {
			t.Fatal(err)
		}
		hermezOnDevice(t, &rep, dev, len(batch))
		for i, k := range kats {
			k.check(t, "HashHermezBatch", got[i])
		}
	})
}

// TestHermezIden3 compares HashHermez with go-iden3-crypto's
// goldenposeidon.Hash on seeded random inputs, with edge values mixed in.
func TestHermezIden3(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	n := 3000
	if testing.Short() {
		n = 300
	}
	edges := []uint64{0, 1, 2, hermezP - 1, hermezP - 2, 1<<32 - 1, 1 << 32, 1 << 63, 1<<63 - 1}
	for _, s := range hermezRandom(rng, n) {
		for i := range s {
			if rng.Intn(4) == 0 {
				s[i].SetUint64(edges[rng.Intn(len(edges))])
			}
		}
		in, capacity := hermezSplit(s)
		got, err := goldilocks.HashHermez(in, capacity)
		if err != nil {
			t.Fatal(err)
		}
		if want := hermezIden3(t, s); got != want {
			t.Fatalf("HashHermez(%v, %v) = %v, goldenposeidon.Hash gives %v", in, capacity, got, want)
		}
	}
}

// TestHermezBatch checks that HashHermezBatch equals HashHermez one input at
// a time (and PermuteHermez), on every device, for sizes around the CPU
// path's chunking and with several WithNbTasks values, and that it leaves
// its inputs unmodified.
func TestHermezBatch(t *testing.T) {
	seed := devtest.Seed(t)
	hermezDevices(t, func(t *testing.T, dev zkaccel.Device) {
		rng := inputs.NewRand(seed)
		for _, n := range []int{0, 1, 2, 63, 64, 65, 129, 1000} {
			in := hermezRandom(rng, n)
			want := make([][4]field.Element, n)
			for i := range in {
				a, c := hermezSplit(in[i])
				h, err := goldilocks.HashHermez(a, c, poseidon.WithDevice(dev))
				if err != nil {
					t.Fatal(err)
				}
				if h != hermezRef(in[i]) {
					t.Fatalf("n=%d: HashHermez(input %d) = %v, PermuteHermez gives %v", n, i, h, hermezRef(in[i]))
				}
				want[i] = h
			}
			orig := slices.Clone(in)
			for _, nbTasks := range []int{0, 1, 2, 3, 1024} {
				opts := []poseidon.Option{poseidon.WithDevice(dev)}
				if nbTasks != 0 {
					opts = append(opts, poseidon.WithNbTasks(nbTasks))
				}
				var rep zkaccel.Report
				got, err := goldilocks.HashHermezBatch(in, append(opts, poseidon.WithReport(&rep))...)
				if err != nil {
					t.Fatal(err)
				}
				hermezOnDevice(t, &rep, dev, n)
				if got == nil || len(got) != n {
					t.Fatalf("n=%d: %d results (nil: %v)", n, len(got), got == nil)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("n=%d WithNbTasks(%d): hash %d = %v, want %v", n, nbTasks, i, got[i], want[i])
					}
				}
				if !slices.Equal(in, orig) {
					t.Fatalf("n=%d: the inputs were modified", n)
				}
			}
		}
	})
}

// TestHermezEdges hashes inputs made of edge values only (each position
// alone, and whole states) and checks them against go-iden3-crypto and the
// batch path on every device.
func TestHermezEdges(t *testing.T) {
	var zero, one, minusOne, two field.Element
	one.SetOne()
	minusOne.Neg(&one)
	two.SetUint64(2)
	var states [][12]field.Element
	for _, v := range []field.Element{zero, one, minusOne, two} {
		var all [12]field.Element
		for i := range all {
			all[i] = v
		}
		states = append(states, all)
		for i := range 12 {
			var s [12]field.Element
			s[i] = v
			states = append(states, s)
		}
	}
	want := make([][4]field.Element, len(states))
	for i, s := range states {
		want[i] = hermezIden3(t, s)
	}
	hermezDevices(t, func(t *testing.T, dev zkaccel.Device) {
		got, err := goldilocks.HashHermezBatch(states, poseidon.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		for i := range states {
			if got[i] != want[i] {
				t.Fatalf("input %v: got %v, goldenposeidon.Hash gives %v", states[i], got[i], want[i])
			}
		}
	})
}

// TestHermezBadInput checks the errors: an unreduced element (every
// position), invalid options, an invalid ZKACCEL_DEVICE; nothing is
// modified and nothing panics.
func TestHermezBadInput(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	good := hermezRandom(rng, 5)
	for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), hermezLoopback()} {
		for _, w := range []uint64{hermezP, hermezP + 1, ^uint64(0)} {
			for j := range 12 {
				in := slices.Clone(good)
				in[3][j][0] = w
				orig := slices.Clone(in)
				got, err := goldilocks.HashHermezBatch(in, poseidon.WithDevice(dev))
				hermezWantErr(t, err, "poseidon hermez goldilocks", fmt.Sprintf("inputs[3][%d]", j), "not a reduced")
				if got != nil || !slices.Equal(in, orig) {
					t.Fatalf("on error: result %v, inputs modified: %v", got, !slices.Equal(in, orig))
				}
				a, c := hermezSplit(in[3])
				h, err := goldilocks.HashHermez(a, c, poseidon.WithDevice(dev))
				name := fmt.Sprintf("in[%d]", j)
				if j >= 8 {
					name = fmt.Sprintf("capacity[%d]", j-8)
				}
				hermezWantErr(t, err, "poseidon hermez goldilocks", name, "not a reduced")
				if h != ([4]field.Element{}) {
					t.Fatalf("on error, HashHermez returned %v", h)
				}
			}
		}
	}
	for _, opt := range []struct {
		o    poseidon.Option
		word string
	}{{poseidon.WithDevice(nil), "nil"}, {poseidon.WithNbTasks(0), "WithNbTasks(0)"},
		{poseidon.WithNbTasks(-1), "WithNbTasks(-1)"}, {poseidon.WithNbTasks(1025), "WithNbTasks(1025)"}} {
		got, err := goldilocks.HashHermezBatch(good, opt.o)
		hermezWantErr(t, err, "poseidon hermez goldilocks", opt.word)
		if got != nil {
			t.Fatalf("on error: result %v", got)
		}
		a, c := hermezSplit(good[0])
		_, err = goldilocks.HashHermez(a, c, opt.o)
		hermezWantErr(t, err, "poseidon hermez goldilocks", opt.word)
	}
	for _, v := range []string{"cuda:7", "nonsense", "cpu:1"} {
		t.Setenv(zkaccel.EnvDevice, v)
		_, err := goldilocks.HashHermezBatch(good)
		hermezWantErr(t, err, "poseidon hermez goldilocks", zkaccel.EnvDevice)
	}
}

func hermezWantErr(t *testing.T, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", words)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not mention %q", err, w)
		}
	}
}

// TestHermezFallback checks that a device without the operation (no
// PoseidonDevice, or one that reports ErrUnsupported) makes the call fall
// back to the CPU, visibly, with the right answer; and that any other
// device error is returned, not hidden by a fallback.
func TestHermezFallback(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	in := hermezRandom(rng, 100)
	want := make([][4]field.Element, len(in))
	for i := range in {
		want[i] = hermezRef(in[i])
	}
	var asked int
	unsupported := &hermezDevice{fakedev.Bare, func(r *zkaccel.PoseidonRequest) error {
		asked++
		return fmt.Errorf("test device: %w", zkaccel.ErrUnsupported)
	}}
	for _, dev := range []zkaccel.Device{fakedev.Bare, unsupported} {
		var rep zkaccel.Report
		got, err := goldilocks.HashHermezBatch(in, poseidon.WithDevice(dev), poseidon.WithReport(&rep))
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Fallback || rep.Ran != zkaccel.HostCPU() || !errors.Is(rep.Reason, zkaccel.ErrUnsupported) || rep.Requested != dev {
			t.Fatalf("on %v: report %+v, want a fallback to the CPU", dev, rep)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("on %v: the fallback's results differ", dev)
		}
	}
	if asked != 1 {
		t.Fatalf("the unsupported device was asked %d times, want 1", asked)
	}
	sentinel := errors.New("simulated kernel failure")
	failing := &hermezDevice{fakedev.Bare, func(r *zkaccel.PoseidonRequest) error {
		return fmt.Errorf("test device: poseidon: %w", sentinel)
	}}
	got, err := goldilocks.HashHermezBatch(in, poseidon.WithDevice(failing))
	if !errors.Is(err, sentinel) || got != nil {
		t.Fatalf("on a failing device: %v, %v; want the device's error", got, err)
	}
	a, c := hermezSplit(in[0])
	if _, err := goldilocks.HashHermez(a, c, poseidon.WithDevice(failing)); !errors.Is(err, sentinel) {
		t.Fatalf("HashHermez on a failing device: %v; want the device's error", err)
	}
}

// TestHermezRequest checks the request a device receives: variant, field,
// shape, the inputs as a byte view of the caller's slice and a poisoned
// output buffer.
func TestHermezRequest(t *testing.T) {
	in := hermezRandom(inputs.NewRand(devtest.Seed(t)), 7)
	var seen *zkaccel.PoseidonRequest
	dev := &hermezDevice{fakedev.Bare, func(r *zkaccel.PoseidonRequest) error {
		c := *r
		c.Out = slices.Clone(r.Out)
		seen = &c
		return fakedev.LoopbackPoseidonHermez(r)
	}}
	if _, err := goldilocks.HashHermezBatch(in, poseidon.WithDevice(dev), poseidon.WithNbTasks(3)); err != nil {
		t.Fatal(err)
	}
	r := seen
	if r == nil || r.Variant != zkaccel.PoseidonHermez || r.Field != zkaccel.FieldGoldilocks || r.Width != 12 ||
		r.N != 7 || r.InLen != 12 || r.OutLen != 4 || r.NbTasks != 3 || len(r.In) != 7*12*8 || len(r.Out) != 7*4*8 {
		t.Fatalf("request %+v", r)
	}
	if unsafe.Pointer(&r.In[0]) != unsafe.Pointer(&in[0][0]) {
		t.Error("In is not a view of the caller's inputs")
	}
	for i, b := range r.Out {
		if b != 0xFF {
			t.Fatalf("Out[%d] = %#x before the device ran: not poisoned", i, b)
		}
	}
}
