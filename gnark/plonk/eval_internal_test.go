package plonk

import (
	"testing"

	frbn254 "github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// TestEval checks the evaluation in chunks on every core (evalBN254) and
// Horner's rule against the rule written out, for every length up to 40
// and some larger ones (one chunk, several, a partial last one), at a
// random point and at 0 and 1.
func TestEval(t *testing.T) {
	lengths := []int{1 << 14, 1<<14 + 1, 3<<14 + 7, 100_003}
	for m := 0; m <= 40; m++ {
		lengths = append(lengths, m)
	}
	for _, m := range lengths {
		f := make([]frbn254.Element, m)
		for i := range f {
			f[i].SetRandom()
		}
		var x0, x1, xr frbn254.Element
		x1.SetOne()
		xr.SetRandom()
		for _, x := range []frbn254.Element{x0, x1, xr} {
			var want frbn254.Element
			for i := m - 1; i >= 0; i-- {
				want.Mul(&want, &x).Add(&want, &f[i])
			}
			if got := hornerBN254(f, x); !got.Equal(&want) {
				t.Fatalf("horner, %d coefficients at %s: %s, want %s", m, x.String(), got.String(), want.String())
			}
			if got := evalBN254(f, x); !got.Equal(&want) {
				t.Fatalf("eval, %d coefficients at %s: %s, want %s", m, x.String(), got.String(), want.String())
			}
		}
	}
}
