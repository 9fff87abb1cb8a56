package plonk

import (
	"fmt"
	"math/rand/v2"
	"testing"

	frbls12377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	frbls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	frbn254 "github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// element is what the division's test needs of a scalar field's element.
type element[E any] interface {
	*E
	SetRandom() (*E, error)
	SetUint64(uint64) *E
	Mul(x, y *E) *E
	Add(x, y *E) *E
	Sub(x, y *E) *E
	Equal(*E) bool
	String() string
}

// divideCheck checks a curve's division by X − a in blocks against the
// definition: for f of every length up to 40 and some larger ones, random
// or with runs of zeros, a random or 0 or 1, and blocks of 1 to beyond
// f's length, q·(X − a) + f(a) must equal f, for f(a) by Horner's rule.
func divideCheck[E any, P element[E]](t *testing.T, blocks func(f []E, fa, a E, block int) []E, divide func(f []E, fa, a E) []E) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(zeros bool) E {
		var e E
		if zeros && rng.IntN(3) == 0 {
			return e
		}
		P(&e).SetRandom()
		return e
	}
	lengths := []int{1 << 15, 1<<15 + 3, 100_003}
	for m := 0; m <= 40; m++ {
		lengths = append(lengths, m)
	}
	for _, m := range lengths {
		for trial := range 3 {
			f := make([]E, m)
			for i := range f {
				f[i] = random(trial == 1)
			}
			var a E
			switch trial {
			case 0:
				P(&a).SetRandom()
			case 1:
				P(&a).SetUint64(1)
			}
			var fa E // Horner
			for i := m - 1; i >= 0; i-- {
				P(&fa).Mul(&fa, &a)
				P(&fa).Add(&fa, &f[i])
			}
			check := func(name string, q []E) {
				t.Helper()
				if m == 0 {
					if len(q) != 0 {
						t.Fatalf("%s: %d coefficients from none", name, len(q))
					}
					return
				}
				if len(q) != m-1 {
					t.Fatalf("%s, m = %d: %d coefficients, want %d", name, m, len(q), m-1)
				}
				// q·(X − a) + fa: coefficient i is q[i-1] − a·q[i] (+ fa at 0).
				for i := range m {
					var c, t1 E
					if i > 0 {
						c = q[i-1]
					}
					if i < m-1 {
						P(&t1).Mul(&q[i], &a)
						P(&c).Sub(&c, &t1)
					}
					if i == 0 {
						P(&c).Add(&c, &fa)
					}
					if !P(&c).Equal(&f[i]) {
						t.Fatalf("%s, m = %d, trial %d: coefficient %d of q·(X − a) + f(a) is %s, f's is %s", name, m, trial, i, P(&c).String(), P(&f[i]).String())
					}
				}
			}
			bs := []int{0, 1, 2, 3, 7, m - 1, m, m + 1, (m + 3) / 4}
			if m > 1000 {
				bs = []int{1000, 1 << 14, m / 3, m}
			}
			for _, b := range bs {
				check(fmt.Sprintf("block %d", b), blocks(append([]E(nil), f...), fa, a, b))
			}
			check("default blocks", divide(append([]E(nil), f...), fa, a))
		}
	}
}

// TestDivideBlocks checks the division by X − a of the openings, cut into
// blocks that run at once, on each curve's scalar field.
func TestDivideBlocks(t *testing.T) {
	t.Run("bn254", func(t *testing.T) {
		divideCheck[frbn254.Element](t, divideBlocksBN254, divideByXMinusABN254)
	})
	t.Run("bls12-381", func(t *testing.T) {
		divideCheck[frbls12381.Element](t, divideBlocksBLS12381, divideByXMinusABLS12381)
	})
	t.Run("bls12-377", func(t *testing.T) {
		divideCheck[frbls12377.Element](t, divideBlocksBLS12377, divideByXMinusABLS12377)
	})
}

// BenchmarkDivide times the openings' division at 2^20 coefficients in one
// block (the serial recurrence) and in the default blocks (one per core).
func BenchmarkDivide(b *testing.B) {
	const m = 1 << 20
	f := make([]frbn254.Element, m)
	for i := range f {
		f[i].SetRandom()
	}
	var a frbn254.Element
	a.SetRandom()
	g := make([]frbn254.Element, m)
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			copy(g, f)
			divideBlocksBN254(g, a, a, m)
		}
	})
	b.Run("blocks", func(b *testing.B) {
		for b.Loop() {
			copy(g, f)
			divideByXMinusABN254(g, a, a)
		}
	})
}
