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

// TestEvalMany checks evalMany against Horner's rule written out, with the
// inner products (vecEval) and without, for polynomials of mixed lengths in
// one call (empty, shorter than a block, a block, across blocks and the
// cores' parts, a partial last block), at 0, 1 and a random point.
func TestEvalMany(t *testing.T) {
	defer func(v bool) { vecEval = v }(vecEval)
	lengths := []int{0, 1, 7, vecBlock - 1, vecBlock, vecBlock + 1, 3*vecBlock + 5, 1 << 14, 100_003}
	fs := make([][]frbn254.Element, len(lengths))
	for k, m := range lengths {
		fs[k] = make([]frbn254.Element, m)
		for i := range fs[k] {
			fs[k][i].SetRandom()
		}
	}
	var x0, x1, xr frbn254.Element
	x1.SetOne()
	xr.SetRandom()
	for _, vec := range []bool{true, false} {
		vecEval = vec
		for _, x := range []frbn254.Element{x0, x1, xr} {
			// All at once, each alone, and a call whose longest is short.
			calls := [][][]frbn254.Element{fs, fs[:4]}
			for _, f := range fs {
				calls = append(calls, [][]frbn254.Element{f})
			}
			for _, call := range calls {
				got := evalManyBN254(x, call...)
				if len(got) != len(call) {
					t.Fatalf("vec %v: %d values for %d polynomials", vec, len(got), len(call))
				}
				for k, f := range call {
					var want frbn254.Element
					for i := len(f) - 1; i >= 0; i-- {
						want.Mul(&want, &x).Add(&want, &f[i])
					}
					if !got[k].Equal(&want) {
						t.Fatalf("vec %v, %d coefficients at %s: %s, want %s", vec, len(f), x.String(), got[k].String(), want.String())
					}
				}
			}
		}
	}
}

// TestCombine checks combine against its definition: polynomials shorter
// and longer than out's blocks and the cores' parts, an empty one, the
// coefficients 1 and 0, and out as polys[0] itself (with coefficient 1 and
// without), out holding other values before.
func TestCombine(t *testing.T) {
	rnd := randomBN254
	for _, m := range []int{1, 5, vecBlock, vecBlock + 3, 3*vecBlock + 1, 100_003} {
		for _, inPlace := range []bool{false, true} {
			for _, firstOne := range []bool{false, true} {
				polys := [][]frbn254.Element{rnd(m), rnd(m - 1), rnd(max(m-vecBlock-1, 0)), nil, rnd(m), rnd(m / 2)}
				if inPlace { // polys[0] as long as out
					polys[0] = rnd(m)
				} else { // shorter than out, which holds other values
					polys[0] = rnd(max(m-2, 0))
				}
				coefs := rnd(len(polys))
				coefs[3].SetOne()
				coefs[4].SetZero()
				coefs[5].SetOne()
				if firstOne {
					coefs[0].SetOne()
				}
				want := make([]frbn254.Element, m)
				for j, f := range polys {
					for i := range f {
						var t0 frbn254.Element
						t0.Mul(&f[i], &coefs[j])
						want[i].Add(&want[i], &t0)
					}
				}
				out := rnd(m)
				if inPlace {
					out = polys[0]
				}
				combineBN254(out, coefs, polys)
				for i := range want {
					if !out[i].Equal(&want[i]) {
						t.Fatalf("m %d, in place %v, first coefficient 1 %v: element %d is %s, want %s", m, inPlace, firstOne, i, out[i].String(), want[i].String())
					}
				}
			}
		}
	}
}
