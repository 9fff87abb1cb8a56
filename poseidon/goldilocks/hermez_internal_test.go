package goldilocks

import (
	"math/big"
	"testing"

	field "github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// hermezGeneric is the Hermez permutation written plainly on gnark-crypto's
// field arithmetic, every constant converted to Montgomery form and every
// product a field.Element.Mul, with the matrices indexed as the published
// tables are (M[j][i], P[j][i]: the state is a row vector on the left): the
// generic version that PermuteHermez's fast paths (linear layers on
// Montgomery words with one reduction per output) are tested against.
func hermezGeneric(s *[hermezWidth]field.Element) {
	elt := func(v uint64) field.Element { var e field.Element; e.SetUint64(v); return e }
	m := func(j, i int) field.Element {
		v := hermezMDSCirc[(j-i+hermezWidth)%hermezWidth]
		if i == j {
			v += hermezMDSDiag[i]
		}
		return elt(v)
	}
	p := func(j, i int) field.Element { return elt(hermezPreMatrix[j][i]) }
	mix := func(mat func(j, i int) field.Element) {
		var t [hermezWidth]field.Element
		for i := range t {
			for j := range s {
				c := mat(j, i)
				var prod field.Element
				prod.Mul(&c, &s[j])
				t[i].Add(&t[i], &prod)
			}
		}
		*s = t
	}
	sbox := func(x *field.Element) {
		var y field.Element
		y.Exp(*x, big.NewInt(7))
		*x = y
	}
	ark := func(at int) {
		for i := range s {
			c := elt(hermezRoundConsts[at+i])
			s[i].Add(&s[i], &c)
		}
	}
	ark(0)
	for r := range 4 {
		for i := range s {
			sbox(&s[i])
		}
		ark((r + 1) * hermezWidth)
		if r == 3 {
			mix(p)
		} else {
			mix(m)
		}
	}
	for r := range hermezPartialRounds {
		sbox(&s[0])
		c := elt(hermezRoundConsts[5*hermezWidth+r])
		s[0].Add(&s[0], &c)
		sp := hermezSparse[r]
		var s0 field.Element
		for i := range s {
			w := elt(sp[i])
			var prod field.Element
			prod.Mul(&w, &s[i])
			s0.Add(&s0, &prod)
		}
		for i := 1; i < hermezWidth; i++ {
			v := elt(sp[hermezWidth+i-1])
			var prod field.Element
			prod.Mul(&v, &s[0])
			s[i].Add(&s[i], &prod)
		}
		s[0] = s0
	}
	for r := range 4 {
		for i := range s {
			sbox(&s[i])
		}
		if r < 3 {
			ark(5*hermezWidth + hermezPartialRounds + r*hermezWidth)
		}
		mix(m)
	}
}

// hermezEdgeWords are Montgomery words at the edges of the reductions.
var hermezEdgeWords = []uint64{0, 1, 2, hermezEpsilon, hermezEpsilon + 1, 1 << 63, hermezModulus - hermezEpsilon, hermezModulus - 2, hermezModulus - 1}

// hermezRandomState draws a state from rng with edge words mixed in.
func hermezRandomState(t *testing.T, rng interface{ Intn(int) int }, els []field.Element) [hermezWidth]field.Element {
	t.Helper()
	var s [hermezWidth]field.Element
	copy(s[:], els)
	for i := range s {
		if rng.Intn(4) == 0 {
			s[i][0] = hermezEdgeWords[rng.Intn(len(hermezEdgeWords))]
		}
	}
	return s
}

// TestHermezFastPath checks PermuteHermez against hermezGeneric on random
// states with edge words mixed in, and on all-edge states.
func TestHermezFastPath(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	els := inputs.Elements[field.Element](rng, n*hermezWidth)
	check := func(s [hermezWidth]field.Element) {
		t.Helper()
		want, got := s, s
		hermezGeneric(&want)
		PermuteHermez(&got)
		if got != want {
			t.Fatalf("PermuteHermez(%v) = %v, generic version gives %v", s, got, want)
		}
	}
	for i := range n {
		check(hermezRandomState(t, rng, els[i*hermezWidth:]))
	}
	for _, w := range hermezEdgeWords {
		var s [hermezWidth]field.Element
		for i := range s {
			s[i][0] = w
		}
		check(s)
	}
}

// TestHermezArith checks the branch-free hermezMontMul and hermezAdd
// against field.Element's Mul and Add, on random and edge words.
func TestHermezArith(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	word := func() uint64 {
		if rng.Intn(3) == 0 {
			return hermezEdgeWords[rng.Intn(len(hermezEdgeWords))]
		}
		return rng.Uint64() % hermezModulus
	}
	for range 200000 {
		x, y := field.Element{word()}, field.Element{word()}
		var prod, sum field.Element
		prod.Mul(&x, &y)
		sum.Add(&x, &y)
		if got := hermezMontMul(x[0], y[0]); got != prod[0] {
			t.Fatalf("hermezMontMul(%#x, %#x) = %#x, field.Element.Mul gives %#x", x[0], y[0], got, prod[0])
		}
		if got := hermezAdd(x[0], y[0]); got != sum[0] {
			t.Fatalf("hermezAdd(%#x, %#x) = %#x, field.Element.Add gives %#x", x[0], y[0], got, sum[0])
		}
	}
}

// TestHermezReduce checks hermezReduce128, hermezReduce96 and hermezDot
// against math/big.
func TestHermezReduce(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	p := new(big.Int).SetUint64(hermezModulus)
	words := append([]uint64{^uint64(0), ^uint64(0) - 1, 1<<32 - 2, 1 << 32}, hermezEdgeWords...)
	word := func() uint64 {
		if rng.Intn(3) == 0 {
			return words[rng.Intn(len(words))]
		}
		return rng.Uint64()
	}
	for range 100000 {
		hi, lo := word(), word()
		want := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
		want.Add(want, new(big.Int).SetUint64(lo)).Mod(want, p)
		if got := hermezReduce128(hi, lo); got != want.Uint64() {
			t.Fatalf("hermezReduce128(%#x, %#x) = %#x, want %#x", hi, lo, got, want)
		}
		hi &= hermezEpsilon
		want.Lsh(new(big.Int).SetUint64(hi), 64)
		want.Add(want, new(big.Int).SetUint64(lo)).Mod(want, p)
		if got := hermezReduce96(hi, lo); got != want.Uint64() {
			t.Fatalf("hermezReduce96(%#x, %#x) = %#x, want %#x", hi, lo, got, want)
		}
	}
	for range 20000 {
		var c, s [hermezWidth]uint64
		want := new(big.Int)
		for j := range c {
			c[j], s[j] = word()%hermezModulus, word()%hermezModulus
			if rng.Intn(5) == 0 {
				c[j], s[j] = hermezModulus-1, hermezModulus-1
			}
			prod := new(big.Int).SetUint64(c[j])
			want.Add(want, prod.Mul(prod, new(big.Int).SetUint64(s[j])))
		}
		want.Mod(want, p)
		if got := hermezDot(&c, &s); got != want.Uint64() {
			t.Fatalf("hermezDot(%v, %v) = %#x, want %#x", c, s, got, want)
		}
	}
}

// TestHermezConstantShapes checks the tables' sizes against the round
// counts and that every constant is reduced.
func TestHermezConstantShapes(t *testing.T) {
	if got, want := len(hermezRoundConsts), hermezWidth+(hermezFullRounds-1)*hermezWidth+hermezPartialRounds; got != want {
		t.Fatalf("%d round constants, want %d", got, want)
	}
	check := func(what string, vs []uint64) {
		for i, v := range vs {
			if v >= hermezModulus {
				t.Errorf("%s[%d] = %#x ≥ p", what, i, v)
			}
		}
	}
	check("hermezRoundConsts", hermezRoundConsts[:])
	for i := range hermezPreMatrix {
		check("hermezPreMatrix", hermezPreMatrix[i][:])
	}
	for r := range hermezSparse {
		check("hermezSparse", hermezSparse[r][:])
	}
}
