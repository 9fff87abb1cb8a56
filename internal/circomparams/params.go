package circomparams

import (
	"errors"
	"fmt"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// circomlib's Poseidon instances: width t = inputs + 1 for 1 to 16 inputs,
// 8 full rounds, and the partial rounds of PartialRounds.
const (
	// MaxInputs is the largest number of inputs circomlib defines (t = 17).
	MaxInputs = 16
	// FullRounds is the number of full rounds of every width.
	FullRounds = 8
)

// PartialRounds are the partial rounds of width t at index t − 2
// (circomlib's poseidon.circom N_ROUNDS_P, go-iden3-crypto's NROUNDSP).
var PartialRounds = [MaxInputs]int{56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68}

// Params holds one width's constants in two equivalent forms.
//
// The plain form is the paper's: round r of R = RF + RP computes
// s ← M·S(s + rc_r), where S is x^5 on every element in the RF/2 first and
// RF/2 last rounds and on s[0] alone in the RP partial rounds between them.
//
// The optimized form (the paper's appendix B, as circomlibjs's poseidon_opt
// and go-iden3-crypto run it) computes the same permutation with fewer
// multiplications. It is derived from the plain form; its layout is
// go-iden3-crypto's, so that tests can compare them:
//
//	s += C[0:t]
//	RF/2 full rounds r:   S(s); s += C[(r+1)t:]; s ← M·s (the last: Pre·s)
//	RP partial rounds j:  s[0] ← s[0]^5 + C[(RF/2+1)t + j]; s ← A_j·s
//	RF/2−1 full rounds r: S(s); s += C[(RF/2+1)t + RP + rt:]; s ← M·s
//	last full round:      S(s); s ← M·s
//
// where A_j is sparse: its first row is Sparse[(2t−1)j : (2t−1)j+t] and its
// first column below the diagonal Sparse[(2t−1)j+t : (2t−1)(j+1)], with the
// identity elsewhere.
//
// The slices of a Params returned by [For] are shared: callers must not
// modify them.
type Params struct {
	T, RF, RP int // width, full rounds, partial rounds

	RC  []fr.Element // plain round constants, (RF+RP)·t, round after round
	MDS []fr.Element // M, t×t, row-major: s'[i] = Σ_j MDS[i·t+j]·s[j]

	C      []fr.Element // optimized constants, RF·t + RP
	Pre    []fr.Element // P, t×t, row-major, for the last of the first full rounds
	Sparse []fr.Element // the A_j, 2t−1 per partial round
}

var cache [MaxInputs + 2]struct {
	once sync.Once
	p    *Params
	err  error
}

// For returns the constants of width t (2 to 17), generating them on first
// use; every call for t returns the same *Params.
func For(t int) (*Params, error) {
	if t < 2 || t > MaxInputs+1 {
		return nil, fmt.Errorf("width %d: circomlib defines 2 to %d", t, MaxInputs+1)
	}
	c := &cache[t]
	c.once.Do(func() { c.p, c.err = New(t) })
	return c.p, c.err
}

// New generates width t's (2 to 17) plain constants with the Grain LFSR and
// derives the optimized form from them, without caching.
func New(t int) (*Params, error) {
	if t < 2 || t > MaxInputs+1 {
		return nil, fmt.Errorf("width %d: circomlib defines 2 to %d", t, MaxInputs+1)
	}
	p := &Params{T: t, RF: FullRounds, RP: PartialRounds[t-2]}
	rc, m, ok := GrainConstants(t, p.RF, p.RP)
	if !ok {
		return nil, errors.New("the Grain LFSR gave no Cauchy matrix at the first draw")
	}
	p.RC = rc
	p.MDS = make([]fr.Element, 0, t*t)
	for i := range m {
		p.MDS = append(p.MDS, m[i]...)
	}
	if err := p.deriveOpt(); err != nil {
		return nil, err
	}
	return p, nil
}

// deriveOpt computes the optimized form (c, pre, sparse) from rc and mds.
//
// Constants: a constant vector added at the start of round r+1 can move
// before round r's matrix as M⁻¹·rc_{r+1}. In a partial round only s[0]
// passes the S-box, so the part of that vector outside s[0] also moves
// before the S-box and joins round r's own constants; going from the last
// partial round back to the first leaves one scalar per partial round and
// one full vector before the first partial round.
//
// Matrices: write M = [[a, bᵀ], [w, D]]. M = A·B with A = [[a, bᵀD⁻¹],
// [w, I]] sparse and B = diag(1, D), and B commutes with a partial round's
// S-box and scalar constant, so it moves into the previous round's matrix:
// B·M = [[a, bᵀ], [D·w, D²]], whose lower-right block is D² — and so on back
// to the first partial round. So the partial round j of RP (counting from 0)
// uses A_j = [[a, bᵀD^{−(RP−j)}], [D^{RP−j−1}·w, I]], and the last full round
// before them uses P = [[a, bᵀ], [D^{RP}·w, D^{RP+1}]].
func (p *Params) deriveOpt() error {
	t, h, rp := p.T, p.RF/2, p.RP
	rounds := p.RF + rp
	minv, err := invert(p.MDS, t)
	if err != nil {
		return err
	}
	mulVec := func(m, v []fr.Element) []fr.Element { // m·v
		out := make([]fr.Element, t)
		var tmp fr.Element
		for i := range t {
			for j := range t {
				tmp.Mul(&m[i*t+j], &v[j])
				out[i].Add(&out[i], &tmp)
			}
		}
		return out
	}

	// Fold the partial rounds' constants.
	rc := make([][]fr.Element, rounds)
	for r := range rc {
		rc[r] = append([]fr.Element(nil), p.RC[r*t:(r+1)*t]...)
	}
	scalars := make([]fr.Element, rp)
	for r := h + rp - 1; r >= h; r-- {
		inv := mulVec(minv, rc[r+1])
		for k := 1; k < t; k++ {
			rc[r][k].Add(&rc[r][k], &inv[k])
		}
		scalars[r-h] = inv[0]
	}
	p.C = make([]fr.Element, 0, p.RF*t+rp)
	p.C = append(p.C, rc[0]...)
	for r := 1; r <= h; r++ {
		p.C = append(p.C, mulVec(minv, rc[r])...)
	}
	p.C = append(p.C, scalars...)
	for r := h + rp + 1; r < rounds; r++ {
		p.C = append(p.C, mulVec(minv, rc[r])...)
	}

	// Factor the partial rounds' matrices.
	n := t - 1
	d := make([]fr.Element, n*n)
	b := make([]fr.Element, n)
	w := make([]fr.Element, n)
	for i := range n {
		b[i] = p.MDS[i+1]
		w[i] = p.MDS[(i+1)*t]
		copy(d[i*n:(i+1)*n], p.MDS[(i+1)*t+1:(i+2)*t])
	}
	dinv, err := invert(d, n)
	if err != nil {
		return err
	}
	row, col := b, w // bᵀD^{−k} and D^{k−1}·w, from k = 1
	p.Sparse = make([]fr.Element, (2*t-1)*rp)
	var tmp fr.Element
	for j := rp - 1; j >= 0; j-- {
		row = vecMat(row, dinv, n)
		a := p.Sparse[(2*t-1)*j : (2*t-1)*(j+1)]
		a[0] = p.MDS[0]
		copy(a[1:t], row)
		copy(a[t:], col)
		next := make([]fr.Element, n)
		for i := range n {
			for k := range n {
				tmp.Mul(&d[i*n+k], &col[k])
				next[i].Add(&next[i], &tmp)
			}
		}
		col = next
	}
	// P = [[a, bᵀ], [D^{RP}·w, D^{RP+1}]]; col is D^{RP}·w now.
	dpow := matPow(d, n, rp+1)
	p.Pre = make([]fr.Element, t*t)
	copy(p.Pre[:t], p.MDS[:t])
	for i := range n {
		p.Pre[(i+1)*t] = col[i]
		copy(p.Pre[(i+1)*t+1:(i+2)*t], dpow[i*n:(i+1)*n])
	}
	return nil
}

// vecMat returns the row vector v times the n×n row-major matrix m.
func vecMat(v, m []fr.Element, n int) []fr.Element {
	out := make([]fr.Element, n)
	var tmp fr.Element
	for j := range n {
		for k := range n {
			tmp.Mul(&v[k], &m[k*n+j])
			out[j].Add(&out[j], &tmp)
		}
	}
	return out
}

// matMul returns x·y for n×n row-major matrices.
func matMul(x, y []fr.Element, n int) []fr.Element {
	out := make([]fr.Element, n*n)
	var tmp fr.Element
	for i := range n {
		for k := range n {
			for j := range n {
				tmp.Mul(&x[i*n+k], &y[k*n+j])
				out[i*n+j].Add(&out[i*n+j], &tmp)
			}
		}
	}
	return out
}

// matPow returns m^e (e ≥ 1) for an n×n row-major matrix, by squaring.
func matPow(m []fr.Element, n, e int) []fr.Element {
	var acc []fr.Element
	sq := m
	for {
		if e&1 == 1 {
			if acc == nil {
				acc = append([]fr.Element(nil), sq...)
			} else {
				acc = matMul(acc, sq, n)
			}
		}
		e >>= 1
		if e == 0 {
			return acc
		}
		sq = matMul(sq, sq, n)
	}
}

// invert returns the inverse of the n×n row-major matrix m, by Gauss–Jordan
// elimination, or an error when m is singular.
func invert(m []fr.Element, n int) ([]fr.Element, error) {
	a := append([]fr.Element(nil), m...)
	inv := make([]fr.Element, n*n)
	for i := range n {
		inv[i*n+i].SetOne()
	}
	var f, tmp fr.Element
	for c := range n {
		piv := -1
		for r := c; r < n; r++ {
			if !a[r*n+c].IsZero() {
				piv = r
				break
			}
		}
		if piv < 0 {
			return nil, errors.New("singular matrix")
		}
		if piv != c {
			for k := range n {
				a[c*n+k], a[piv*n+k] = a[piv*n+k], a[c*n+k]
				inv[c*n+k], inv[piv*n+k] = inv[piv*n+k], inv[c*n+k]
			}
		}
		f.Inverse(&a[c*n+c])
		for k := range n {
			a[c*n+k].Mul(&a[c*n+k], &f)
			inv[c*n+k].Mul(&inv[c*n+k], &f)
		}
		for r := range n {
			if r == c || a[r*n+c].IsZero() {
				continue
			}
			f = a[r*n+c]
			for k := range n {
				tmp.Mul(&f, &a[c*n+k])
				a[r*n+k].Sub(&a[r*n+k], &tmp)
				tmp.Mul(&f, &inv[c*n+k])
				inv[r*n+k].Sub(&inv[r*n+k], &tmp)
			}
		}
	}
	return inv, nil
}
