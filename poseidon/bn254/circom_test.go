package bn254_test

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	iden3 "github.com/iden3/go-iden3-crypto/poseidon"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// errCircomFailing is the error of the failing device in these tests.
var errCircomFailing = errors.New("simulated kernel failure")

// circomTarget is a device the front-end tests run on, and where its calls
// must run: on it (onDevice), on the CPU after a fallback (fallback), or
// either (a real device may lack some widths).
type circomTarget struct {
	name     string
	dev      zkaccel.Device
	onDevice bool
	fallback bool
}

// circomTargets runs fn on every device present (devtest.ForEachDevice),
// on the loopback (every call on the device), and on fakedev.Bare and
// fakedev.Unsupported (every call falls back to the CPU).
func circomTargets(t *testing.T, fn func(t *testing.T, tg circomTarget)) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		fn(t, circomTarget{name: dev.String(), dev: dev, onDevice: dev.Kind() == zkaccel.CPU})
	})
	for _, tg := range []circomTarget{
		{"loopback", fakedev.Loopback, true, false},
		{"bare", fakedev.Bare, false, true},
		{"unsupported", fakedev.Unsupported, false, true},
	} {
		t.Run(tg.name, func(t *testing.T) { fn(t, tg) })
	}
}

// check fails t unless rep says the call (of n hashes or leaves) ran where
// tg says it must.
func (tg circomTarget) check(t *testing.T, rep *zkaccel.Report, n int) {
	t.Helper()
	switch {
	case rep.N != n || rep.Requested != tg.dev:
		t.Fatalf("report %v: want n=%d requested %v", rep, n, tg.dev)
	case tg.onDevice && (rep.Fallback || rep.Ran != tg.dev):
		t.Fatalf("report %v: want a run on %v without fallback", rep, tg.dev)
	case tg.fallback && (!rep.Fallback || rep.Ran != zkaccel.HostCPU() || !errors.Is(rep.Reason, zkaccel.ErrUnsupported)):
		t.Fatalf("report %v: want a fallback to the CPU for ErrUnsupported", rep)
	}
}

// circomElem returns the element of a small integer.
func circomElem(v int64) fr.Element {
	var e fr.Element
	e.SetInt64(v)
	return e
}

// circomBig converts elements to the *big.Int inputs of go-iden3-crypto.
func circomBig(in []fr.Element) []*big.Int {
	out := make([]*big.Int, len(in))
	for i := range in {
		out[i] = in[i].BigInt(new(big.Int))
	}
	return out
}

// circomIden3 is go-iden3-crypto's poseidon.Hash of in, as an element.
func circomIden3(t testing.TB, in []fr.Element) fr.Element {
	t.Helper()
	h, err := iden3.Hash(circomBig(in))
	if err != nil {
		t.Fatalf("go-iden3-crypto: %v", err)
	}
	var e fr.Element
	e.SetBigInt(h)
	return e
}

// circomEdges returns inputs of n elements made of 0, 1 and r−1: all equal,
// and each pattern of the three values cycling from each start.
func circomEdges(n int) [][]fr.Element {
	var one, minusOne fr.Element
	one.SetOne()
	minusOne.Neg(&one)
	vals := []fr.Element{{}, one, minusOne}
	var out [][]fr.Element
	for _, v := range vals {
		in := make([]fr.Element, n)
		for i := range in {
			in[i] = v
		}
		out = append(out, in)
	}
	for start := range vals {
		in := make([]fr.Element, n)
		for i := range in {
			in[i] = vals[(start+i)%3]
		}
		out = append(out, in)
	}
	return out
}

// TestPoseidonKnownAnswers checks the known answers of
// testdata/poseidon/circom_bn254.txt that start from the zero state
// through Poseidon, and through PoseidonBatch on every target (each answer
// alone, and the answers of each width in one batch).
func TestPoseidonKnownAnswers(t *testing.T) {
	byWidth := map[int][]bn254.CircomKAT{}
	for _, k := range bn254.CircomKATs(t) {
		if !k.Init.IsZero() {
			continue // the permutation's own tests run these
		}
		got, err := bn254.Poseidon(k.In...)
		if err != nil || !got.Equal(&k.Out) {
			t.Errorf("%s: Poseidon = %s, %v; want %s", k.Name, got.String(), err, k.Out.String())
		}
		byWidth[len(k.In)+1] = append(byWidth[len(k.In)+1], k)
	}
	circomTargets(t, func(t *testing.T, tg circomTarget) {
		for w, kats := range byWidth {
			batch := make([][]fr.Element, len(kats))
			for i, k := range kats {
				batch[i] = k.In
			}
			var rep zkaccel.Report
			got, err := bn254.PoseidonBatch(batch, poseidon.WithDevice(tg.dev), poseidon.WithReport(&rep))
			if err != nil {
				t.Fatalf("t=%d: %v", w, err)
			}
			tg.check(t, &rep, len(kats))
			for i, k := range kats {
				if !got[i].Equal(&k.Out) {
					t.Errorf("%s: PoseidonBatch = %s, want %s", k.Name, got[i].String(), k.Out.String())
				}
			}
		}
	})
}

// TestPoseidonMatchesIden3 compares Poseidon with go-iden3-crypto's
// poseidon.Hash for every number of inputs, on random inputs and on inputs
// made of 0, 1 and r−1.
func TestPoseidonMatchesIden3(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	rounds := 20
	if testing.Short() {
		rounds = 5
	}
	for n := 1; n <= 16; n++ {
		cases := circomEdges(n)
		for range rounds {
			cases = append(cases, inputs.Elements[fr.Element](rng, n))
		}
		for _, in := range cases {
			orig := slices.Clone(in)
			got, err := bn254.Poseidon(in...)
			if err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			if !slices.Equal(in, orig) {
				t.Fatalf("n=%d: Poseidon modified its inputs", n)
			}
			if want := circomIden3(t, in); !got.Equal(&want) {
				t.Fatalf("n=%d, inputs %v: got %s, go-iden3-crypto %s", n, in, got.String(), want.String())
			}
		}
	}
}

// TestPoseidonBatch checks PoseidonBatch against Poseidon one input at a
// time, for several widths and batch sizes, on every target, with the
// default and with explicit WithNbTasks, and that the inputs are left
// unmodified.
func TestPoseidonBatch(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	circomTargets(t, func(t *testing.T, tg circomTarget) {
		for _, k := range []int{1, 2, 3, 4, 16} {
			for _, n := range []int{1, 2, 15, 16, 17, 100} {
				els := inputs.Elements[fr.Element](rng, n*k)
				in := make([][]fr.Element, n)
				for i := range in {
					in[i] = els[i*k : (i+1)*k]
				}
				copy(in, circomEdges(k)[:min(n, 6)])
				want := make([]fr.Element, n)
				for i := range in {
					var err error
					if want[i], err = bn254.Poseidon(in[i]...); err != nil {
						t.Fatal(err)
					}
				}
				orig := make([][]fr.Element, n)
				for i := range in {
					orig[i] = slices.Clone(in[i])
				}
				for _, nb := range []int{0, 1, 3} {
					opts := []poseidon.Option{poseidon.WithDevice(tg.dev)}
					if nb > 0 {
						opts = append(opts, poseidon.WithNbTasks(nb))
					}
					var rep zkaccel.Report
					got, err := bn254.PoseidonBatch(in, append(opts, poseidon.WithReport(&rep))...)
					if err != nil {
						t.Fatalf("k=%d n=%d nbTasks=%d: %v", k, n, nb, err)
					}
					tg.check(t, &rep, n)
					if !slices.Equal(got, want) {
						t.Fatalf("k=%d n=%d nbTasks=%d: batch differs from one hash at a time", k, n, nb)
					}
					for i := range in {
						if !slices.Equal(in[i], orig[i]) {
							t.Fatalf("k=%d n=%d nbTasks=%d: inputs[%d] modified", k, n, nb, i)
						}
					}
				}
			}
		}
	})
}

// TestPoseidonBatchEmpty checks that an empty or nil batch gives an empty
// result and no error on every target, but still rejects bad options.
func TestPoseidonBatchEmpty(t *testing.T) {
	circomTargets(t, func(t *testing.T, tg circomTarget) {
		for _, in := range [][][]fr.Element{nil, {}} {
			got, err := bn254.PoseidonBatch(in, poseidon.WithDevice(tg.dev))
			if err != nil || got == nil || len(got) != 0 {
				t.Fatalf("PoseidonBatch(%#v) = %v, %v; want an empty result", in, got, err)
			}
		}
		if _, err := bn254.PoseidonBatch(nil, poseidon.WithDevice(tg.dev), poseidon.WithNbTasks(0)); err == nil {
			t.Fatal("an empty batch with WithNbTasks(0) gave no error")
		}
	})
}

// TestPoseidonBatchRequest checks the request a device receives: its
// variant, field and shape, the inputs as one contiguous buffer hash after
// hash, and the output as a view of the returned slice, poisoned (not
// zero) before the device writes it.
func TestPoseidonBatchRequest(t *testing.T) {
	const n, k = 5, 3
	in := make([][]fr.Element, n)
	var flat []fr.Element
	for i := range in {
		in[i] = []fr.Element{circomElem(int64(10 * i)), circomElem(int64(10*i + 1)), circomElem(int64(10*i + 2))}
		flat = append(flat, in[i]...)
	}
	var req zkaccel.PoseidonRequest
	var poisoned bool
	dev := fakedev.NewCircom("recorder", fakedev.CircomFuncs{Poseidon: func(r *zkaccel.PoseidonRequest) error {
		req = *r
		poisoned = strings.Trim(string(r.Out), "\x00") == string(r.Out) && len(r.Out) > 0
		return fakedev.LoopbackPoseidonCircom(r)
	}})
	got, err := bn254.PoseidonBatch(in, poseidon.WithDevice(dev), poseidon.WithNbTasks(7))
	if err != nil {
		t.Fatal(err)
	}
	if req.Variant != zkaccel.PoseidonCircom || req.Field != zkaccel.FieldBN254 || req.Width != k+1 || req.InLen != k ||
		req.N != n || req.OutLen != 1 || req.NbTasks != 7 {
		t.Fatalf("request %+v: want circom bn254, Width %d, InLen %d, N %d, OutLen 1, NbTasks 7", req, k+1, k, n)
	}
	if string(req.In) != string(unsafe.Slice((*byte)(unsafe.Pointer(&flat[0])), len(flat)*fr.Bytes)) {
		t.Fatal("request's In is not the inputs, hash after hash, in gnark-crypto's layout")
	}
	if unsafe.SliceData(req.Out) != (*byte)(unsafe.Pointer(&got[0])) || len(req.Out) != n*fr.Bytes {
		t.Fatal("request's Out is not a view of the result")
	}
	if !poisoned {
		t.Fatal("the output buffer was not poisoned before the device ran")
	}
	for i := range in {
		if want := circomIden3(t, in[i]); !got[i].Equal(&want) {
			t.Fatalf("hash %d: got %s, want %s", i, got[i].String(), want.String())
		}
	}
}

// TestPoseidonBadInput checks that bad calls fail with an error naming the
// operation and the problem, on the CPU and on a device, without touching
// the inputs; and that a failing device's error is returned, not hidden by
// a fallback.
func TestPoseidonBadInput(t *testing.T) {
	for _, n := range []int{0, 17, 100} {
		_, err := bn254.Poseidon(make([]fr.Element, n)...)
		circomWantErr(t, fmt.Sprintf("Poseidon of %d inputs", n), err, "zkaccel: poseidon circom bn254", fmt.Sprintf("%d inputs", n))
	}
	good := [][]fr.Element{{circomElem(1), circomElem(2)}, {circomElem(3), circomElem(4)}, {circomElem(5), circomElem(6)}}
	for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} {
		o := poseidon.WithDevice(dev)
		bad := func(what string, in [][]fr.Element, opts []poseidon.Option, words ...string) error {
			t.Helper()
			orig := make([][]fr.Element, len(in))
			for i := range in {
				orig[i] = slices.Clone(in[i])
			}
			got, err := bn254.PoseidonBatch(in, opts...)
			circomWantErr(t, what+" on "+dev.String(), err, append([]string{"poseidon circom bn254"}, words...)...)
			if got != nil {
				t.Fatalf("%s: a result with an error", what)
			}
			for i := range in {
				if !slices.Equal(in[i], orig[i]) {
					t.Fatalf("%s: inputs[%d] modified", what, i)
				}
			}
			return err
		}
		bad("empty inner slice", [][]fr.Element{{}, {}}, []poseidon.Option{o}, "inputs[0] has 0 elements", "1 to 16")
		bad("17 inputs", [][]fr.Element{make([]fr.Element, 17)}, []poseidon.Option{o}, "inputs[0] has 17 elements")
		bad("ragged", [][]fr.Element{good[0], good[1], {circomElem(1)}, good[2]}, []poseidon.Option{o}, "inputs[2] has 1 elements", "inputs[0] has 2")
		bad("ragged longer", [][]fr.Element{good[0], {circomElem(1), circomElem(2), circomElem(3)}}, []poseidon.Option{o}, "inputs[1] has 3 elements")
		bad("nil inner slice", [][]fr.Element{good[0], nil}, []poseidon.Option{o}, "inputs[1] has 0 elements")
		for _, nb := range []int{0, -1, 1025} {
			bad(fmt.Sprintf("WithNbTasks(%d)", nb), good, []poseidon.Option{o, poseidon.WithNbTasks(nb)}, fmt.Sprintf("WithNbTasks(%d)", nb))
		}
	}
	bad := func(what string, opts []poseidon.Option, words ...string) error {
		t.Helper()
		_, err := bn254.PoseidonBatch(good, opts...)
		circomWantErr(t, what, err, words...)
		return err
	}
	bad("WithDevice(nil)", []poseidon.Option{poseidon.WithDevice(nil)}, "poseidon circom bn254", "WithDevice(nil)")
	err := bad("failing device", []poseidon.Option{poseidon.WithDevice(fakedev.FailingCircom(errCircomFailing))})
	if !errors.Is(err, errCircomFailing) || errors.Is(err, zkaccel.ErrUnsupported) {
		t.Fatalf("failing device: error %v, want one wrapping %q", err, errCircomFailing)
	}
	for _, v := range []string{"cuda:7", "nonsense"} {
		t.Run(zkaccel.EnvDevice+"="+v, func(t *testing.T) {
			t.Setenv(zkaccel.EnvDevice, v)
			bad("bad "+zkaccel.EnvDevice, nil, "poseidon circom bn254", zkaccel.EnvDevice, v)
			// An explicit device is obeyed whatever the variable says.
			if _, err := bn254.PoseidonBatch(good, poseidon.WithDevice(zkaccel.HostCPU())); err != nil {
				t.Fatalf("WithDevice(cpu) under a bad %s: %v", zkaccel.EnvDevice, err)
			}
		})
	}
}

// circomWantErr checks that err is not nil and mentions every one of words.
func circomWantErr(t *testing.T, what string, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("%s: error %q does not mention %q", what, err, w)
		}
	}
}

// TestPoseidonAllocs checks that a single hash allocates nothing.
func TestPoseidonAllocs(t *testing.T) {
	x, y := circomElem(1), circomElem(2)
	in16 := make([]fr.Element, 16)
	if _, err := bn254.Poseidon(in16...); err != nil { // constants generated outside the count
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"2 inputs":  func() { _, _ = bn254.Poseidon(x, y) },
		"16 inputs": func() { _, _ = bn254.Poseidon(in16...) },
	} {
		if a := testing.AllocsPerRun(50, f); a != 0 {
			t.Errorf("Poseidon of %s: %v allocations per call, want 0", name, a)
		}
	}
}
