package conformance

import (
	"fmt"
	"slices"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/ntt"
	nttbb "github.com/zkaccel/zkaccel/ntt/babybear"
	ntt377 "github.com/zkaccel/zkaccel/ntt/bls12-377"
	ntt381 "github.com/zkaccel/zkaccel/ntt/bls12-381"
	nttbn "github.com/zkaccel/zkaccel/ntt/bn254"
	nttgl "github.com/zkaccel/zkaccel/ntt/goldilocks"
	nttkb "github.com/zkaccel/zkaccel/ntt/koalabear"
)

// The NTT cases, for each field: one case per size bucket ("n=2^0..2^7",
// then one per size: "n=2^8" … "n=2^12" in the -short set, up to 2^16 —
// 2^18 for Goldilocks, 2^20 for the 31-bit fields — in the long set). For
// every size in the bucket and each of three domains (the default one; one
// with a random non-default shift, fft.WithShift; one built
// fft.WithoutPrecompute), it draws an input with 0, 1 and p−1 mixed in and
// checks
//
//   - FFT and FFTInverse, fft.DIT and fft.DIF, with and without OnCoset,
//     against gnark-crypto's Domain.FFT / FFTInverse on a copy;
//   - the round trips FFTInverse(FFT(a)) == a, DIF then DIT and DIT then
//     DIF, with and without OnCoset, on the front end alone;
//   - FFT with WithNbTasks(1) on the default domain.
//
// An error names the size, domain and variant that failed and the first
// differing element.

// The largest sizes, as log2: the -short set's, then the long set's for
// the curves' scalar fields, Goldilocks and the 31-bit fields (gnark-crypto's
// Goldilocks FFT is several times slower than the 31-bit ones).
const (
	nttShortLog      = 12
	nttLongLog       = 16
	nttLongLog64     = 18
	nttLongLog31     = 20
	nttBucketLastLog = 7 // sizes 2^0 … 2^7 share one case
)

func init() {
	registerNTT(bind.BN254, nttbn.FFT, nttbn.FFTInverse, nttLongLog)
	registerNTT(bind.BLS12381, ntt381.FFT, ntt381.FFTInverse, nttLongLog)
	registerNTT(bind.BLS12377, ntt377.FFT, ntt377.FFTInverse, nttLongLog)
	registerNTT(bind.Goldilocks, nttgl.FFT, nttgl.FFTInverse, nttLongLog64)
	registerNTT(bind.BabyBear, nttbb.FFT, nttbb.FFTInverse, nttLongLog31)
	registerNTT(bind.KoalaBear, nttkb.FFT, nttkb.FFTInverse, nttLongLog31)
}

// nttFront is the signature of a front end, e.g. ntt/bn254.FFT.
type nttFront[Dom, E any, Dec ~uint8] func(d *Dom, a []E, dec Dec, opts ...ntt.Option) error

// nttSuite builds the checks of one field.
type nttSuite[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]] struct {
	b               bind.NTT[Dom, E, Dec, O, DO]
	fft, fftInverse nttFront[Dom, E, Dec]
}

func registerNTT[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](b bind.NTT[Dom, E, Dec, O, DO], fft, fftInverse nttFront[Dom, E, Dec], longLog int) {
	s := &nttSuite[Dom, E, Dec, O, DO, PE]{b: b, fft: fft, fftInverse: fftInverse}
	bucket := func(lo, hi int) {
		name := fmt.Sprintf("%s/n=2^%d", b.Field, lo)
		if hi > lo {
			name += fmt.Sprintf("..2^%d", hi)
		}
		register(Case{Op: "ntt", Name: name, Short: hi <= nttShortLog, check: func(t *trial) error {
			for k := lo; k <= hi; k++ {
				if err := s.size(t, k); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	bucket(0, nttBucketLastLog)
	for k := nttBucketLastLog + 1; k <= longLog; k++ {
		bucket(k, k)
	}
}

// variant is one way of calling FFT or FFTInverse.
type variant[Dec ~uint8] struct {
	inverse bool
	dec     Dec
	coset   bool
}

func (v variant[Dec]) String(dit Dec) string {
	s := "FFT"
	if v.inverse {
		s = "FFTInverse"
	}
	if v.dec == dit {
		s += " DIT"
	} else {
		s += " DIF"
	}
	if v.coset {
		s += " OnCoset"
	}
	return s
}

// size runs every check for the domains of size 2^k.
func (s *nttSuite[Dom, E, Dec, O, DO, PE]) size(t *trial, k int) error {
	n := uint64(1) << k
	var shift E
	for PE(&shift).IsZero() {
		shift = inputs.Elements[E, PE](t.rng, 1)[0]
	}
	domains := []struct {
		name string
		d    *Dom
	}{
		{"default", s.b.NewDomain(n)},
		{"WithShift(" + PE(&shift).String() + ")", s.b.NewDomain(n, s.b.WithShift(shift))},
		{"WithoutPrecompute", s.b.NewDomain(n, s.b.WithoutPrecompute())},
	}
	for i, dom := range domains {
		label := fmt.Sprintf("ntt %s n=2^%d domain %s", s.b.Field, k, dom.name)
		a := s.input(t, int(n))
		for _, inverse := range []bool{false, true} {
			for _, dec := range []Dec{s.b.DIT, s.b.DIF} {
				for _, coset := range []bool{false, true} {
					if err := s.compare(t, label, dom.d, a, variant[Dec]{inverse, dec, coset}, 0); err != nil {
						return err
					}
				}
			}
		}
		if i == 0 {
			if err := s.compare(t, label, dom.d, a, variant[Dec]{dec: s.b.DIF}, 1); err != nil {
				return err
			}
		}
		for _, decs := range [][2]Dec{{s.b.DIF, s.b.DIT}, {s.b.DIT, s.b.DIF}} {
			for _, coset := range []bool{false, true} {
				if err := s.roundTrip(t, label, dom.d, a, decs, coset); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// input draws n random elements with 0, 1 and p−1 at indices 1, 2, 3, and 1
// and p−1 at n/2 and n−1, where they exist.
func (s *nttSuite[Dom, E, Dec, O, DO, PE]) input(t *trial, n int) []E {
	a := inputs.Elements[E, PE](t.rng, n)
	var zero, one, minusOne E
	PE(&one).SetOne()
	PE(&minusOne).Neg(&one)
	for i, v := range []E{zero, one, minusOne} {
		if i+1 < n {
			a[i+1] = v
		}
	}
	if n >= 8 {
		a[n/2], a[n-1] = one, minusOne
	}
	return a
}

// call runs variant v of the front end on t.dev, in place on a, and checks
// the size its report gives.
func (s *nttSuite[Dom, E, Dec, O, DO, PE]) call(t *trial, d *Dom, a []E, v variant[Dec], nbTasks int) error {
	f := s.fft
	if v.inverse {
		f = s.fftInverse
	}
	rep := t.report()
	opts := []ntt.Option{ntt.WithDevice(t.dev), ntt.WithReport(rep)}
	if v.coset {
		opts = append(opts, ntt.OnCoset())
	}
	if nbTasks != 0 {
		opts = append(opts, ntt.WithNbTasks(nbTasks))
	}
	if err := f(d, a, v.dec, opts...); err != nil {
		return err
	}
	if rep.N != len(a) {
		return fmt.Errorf("Report.N = %d", rep.N)
	}
	return nil
}

// compare runs variant v of the front end on t.dev and of gnark-crypto on
// copies of a, and compares them element by element.
func (s *nttSuite[Dom, E, Dec, O, DO, PE]) compare(t *trial, label string, d *Dom, a []E, v variant[Dec], nbTasks int) error {
	label += ": " + v.String(s.b.DIT)
	if nbTasks != 0 {
		label += fmt.Sprintf(" WithNbTasks(%d)", nbTasks)
	}
	want := slices.Clone(a)
	var o []O
	if v.coset {
		o = append(o, s.b.OnCoset())
	}
	if v.inverse {
		s.b.FFTInverse(d, want, v.dec, o...)
	} else {
		s.b.FFT(d, want, v.dec, o...)
	}
	got := slices.Clone(a)
	if err := s.call(t, d, got, v, nbTasks); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	return s.diff(label, got, want)
}

// roundTrip checks that the front end's FFTInverse undoes its FFT: FFT with
// decs[0], then FFTInverse with decs[1], gives a back.
func (s *nttSuite[Dom, E, Dec, O, DO, PE]) roundTrip(t *trial, label string, d *Dom, a []E, decs [2]Dec, coset bool) error {
	fwd, inv := variant[Dec]{false, decs[0], coset}, variant[Dec]{true, decs[1], coset}
	label += ": round trip " + fwd.String(s.b.DIT) + " then " + inv.String(s.b.DIT)
	x := slices.Clone(a)
	if err := s.call(t, d, x, fwd, 0); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if err := s.call(t, d, x, inv, 0); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	return s.diff(label, x, a)
}

func (s *nttSuite[Dom, E, Dec, O, DO, PE]) diff(label string, got, want []E) error {
	if i := firstDiff(got, want, func(x, y *E) bool { return PE(x).Equal(y) }); i >= 0 {
		return fmt.Errorf("%s: element %d of %d differs: got %s, want %s", label, i, len(got), PE(&got[i]), PE(&want[i]))
	}
	return nil
}
