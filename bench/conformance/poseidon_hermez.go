package conformance

import (
	"fmt"
	"slices"

	field "github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	posgl "github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// The Polygon Hermez Poseidon cases (Op "poseidon", names
// "hermez-goldilocks/…"):
//
//   - hermez-goldilocks/kat: published known answers, through HashHermez and
//     through one HashHermezBatch of them all, on the device;
//   - hermez-goldilocks/batch/n=N: HashHermezBatch of N random inputs (with
//     0, 1 and p−1 mixed in, and one all-(p−1) input) on the device, against
//     goldilocks.PermuteHermez on the CPU one input at a time; the caller's
//     inputs must be left unmodified. Sizes 1, 2, 3, 64, 65 and 1000 (also
//     with WithNbTasks(1)) are in the -short set, 2^12 + 1 and 2^16 in the
//     long set. (An empty batch asks no device for anything; the front
//     end's own tests cover it.)

// hermezKATs are known answers: 12 input elements (8 inputs, then 4
// capacity) and the 4 output elements, canonical values.
var hermezKATs = []struct {
	name string
	in   [12]uint64
	out  [4]uint64
}{
	// 0xPolygonHermez/goldilocks tests/tests.cpp, poseidon_full_seq and
	// poseidon_avx_seq: the first 12 Fibonacci numbers.
	{"fibonacci", [12]uint64{0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89},
		[4]uint64{0x3095570037F4605D, 0x3D561B5EF1BC8B58, 0x8129DB5EC75C3226, 0x8EC2B67AFB6B87ED}},
	// go-iden3-crypto v0.0.17 goldenposeidon/poseidon_test.go
	// (TestPoseidonHashCompare); also listed for 0xPolygonHermez/goldilocks
	// tests/tests.cpp in the project's VECTORS.md.
	{"zero", [12]uint64{},
		[4]uint64{0x3C18A9786CB0B359, 0xC4055E3364A246C3, 0x7953DB0AB48808F4, 0xC71603F33A1144CA}},
	// go-iden3-crypto v0.0.17 goldenposeidon/poseidon_test.go,
	// TestPoseidonHashCompare.
	{"one", [12]uint64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		[4]uint64{16428316519797902711, 13351830238340666928, 682362844289978626, 12150588177266359240}},
	{"p-1", [12]uint64{hermezPm1, hermezPm1, hermezPm1, hermezPm1, hermezPm1, hermezPm1, hermezPm1, hermezPm1, hermezPm1, hermezPm1, hermezPm1, hermezPm1},
		[4]uint64{13691089994624172887, 15662102337790434313, 14940024623104903507, 10772674582659927682}},
	{"mixed", [12]uint64{923978, 235763497586, 9827635653498, 112870, 289273673480943876, 230295874986745876, 6254867324987, 2087},
		[4]uint64{1892171027578617759, 984732815927439256, 7866041765487844082, 8161503938059336191}},
}

// hermezPm1 is p − 1.
const hermezPm1 = 0xFFFFFFFF00000000

func init() {
	register(Case{Op: "poseidon", Name: "hermez-goldilocks/kat", Short: true, check: hermezKAT})
	for _, n := range []int{1, 2, 3, 64, 65, 1000, 1<<12 + 1, 1 << 16} {
		register(Case{Op: "poseidon", Name: fmt.Sprintf("hermez-goldilocks/batch/n=%d", n), Short: n <= 1000,
			check: func(t *trial) error { return hermezBatch(t, n) }})
	}
}

// hermezKAT checks the known answers on t.dev.
func hermezKAT(t *trial) error {
	batch := make([][12]field.Element, len(hermezKATs))
	for k, v := range hermezKATs {
		for i, x := range v.in {
			batch[k][i].SetUint64(x)
		}
		var in [8]field.Element
		var capacity [4]field.Element
		copy(in[:], batch[k][:8])
		copy(capacity[:], batch[k][8:])
		got, err := posgl.HashHermez(in, capacity, poseidon.WithDevice(t.dev), poseidon.WithReport(t.report()))
		if err != nil {
			return fmt.Errorf("HashHermez, known answer %s: %w", v.name, err)
		}
		if err := hermezCheckKAT("HashHermez", v.name, got, v.out); err != nil {
			return err
		}
	}
	orig := slices.Clone(batch)
	got, err := posgl.HashHermezBatch(batch, poseidon.WithDevice(t.dev), poseidon.WithReport(t.report()))
	if err != nil {
		return fmt.Errorf("HashHermezBatch of the known answers: %w", err)
	}
	if err := unmodified("inputs", batch, orig); err != nil {
		return fmt.Errorf("HashHermezBatch of the known answers: %w", err)
	}
	for k, v := range hermezKATs {
		if err := hermezCheckKAT("HashHermezBatch", v.name, got[k], v.out); err != nil {
			return err
		}
	}
	return nil
}

func hermezCheckKAT(fn, name string, got [4]field.Element, want [4]uint64) error {
	for i := range got {
		if got[i].Uint64() != want[i] {
			return fmt.Errorf("%s, known answer %s: got %s, want %#x", fn, name, hermezString(got), want)
		}
	}
	return nil
}

// hermezBatch checks HashHermezBatch of n random inputs on t.dev against
// PermuteHermez on the CPU.
func hermezBatch(t *trial, n int) error {
	els := inputs.Elements[field.Element](t.rng, 12*n)
	in := make([][12]field.Element, n)
	for i := range in {
		copy(in[i][:], els[12*i:])
	}
	var one, minusOne field.Element
	one.SetOne()
	minusOne.Neg(&one)
	for k, v := range []field.Element{{}, one, minusOne} {
		for i := k; i < n; i += 5 {
			in[i][(i+k)%12] = v
		}
	}
	if n > 3 {
		for j := range in[3] {
			in[3][j] = minusOne
		}
	}
	want := make([][4]field.Element, n)
	for i := range in {
		s := in[i]
		posgl.PermuteHermez(&s)
		copy(want[i][:], s[:4])
	}
	nbTasks := []int{0}
	if n == 1000 {
		nbTasks = append(nbTasks, 1)
	}
	for _, nt := range nbTasks {
		label := fmt.Sprintf("poseidon hermez goldilocks n=%d", n)
		opts := []poseidon.Option{poseidon.WithDevice(t.dev)}
		if nt != 0 {
			label += fmt.Sprintf(" WithNbTasks(%d)", nt)
			opts = append(opts, poseidon.WithNbTasks(nt))
		}
		rep := t.report()
		orig := slices.Clone(in)
		got, err := posgl.HashHermezBatch(in, append(opts, poseidon.WithReport(rep))...)
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		if err := unmodified("inputs", in, orig); err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		if rep.N != n {
			return fmt.Errorf("%s: Report.N = %d", label, rep.N)
		}
		if len(got) != n {
			return fmt.Errorf("%s: %d results", label, len(got))
		}
		if i := firstDiff(got, want, func(a, b *[4]field.Element) bool { return *a == *b }); i >= 0 {
			return fmt.Errorf("%s: hash %d of %d differs: got %s, want %s", label, i, n, hermezString(got[i]), hermezString(want[i]))
		}
	}
	return nil
}

// hermezString formats a hash as canonical values, or as the raw word for
// an unreduced element.
func hermezString(h [4]field.Element) string {
	s := "["
	for i, e := range h {
		if i > 0 {
			s += " "
		}
		if e[0] >= 0xFFFFFFFF00000001 {
			s += fmt.Sprintf("(word %#x ≥ p)", e[0])
		} else {
			s += fmt.Sprintf("%#x", e.Uint64())
		}
	}
	return s + "]"
}
