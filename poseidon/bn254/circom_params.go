package bn254

import (
	"errors"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// circomlib's Poseidon instances: width t = inputs + 1 for 1 to 16 inputs,
// 8 full rounds, and the partial rounds below (circomlib's poseidon.circom
// N_ROUNDS_P, go-iden3-crypto's NROUNDSP), indexed by t − 2.
const (
	circomMaxInputs  = 16
	circomFullRounds = 8
)

var circomPartialRounds = [circomMaxInputs]int{56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68}

// circomParams holds one width's constants in two equivalent forms.
//
// The plain form is the paper's: round r of R = RF + RP computes
// s ← M·S(s + rc_r), where S is x^5 on every element in the RF/2 first and
// RF/2 last rounds and on s[0] alone in the RP partial rounds between them.
//
// The optimized form (the paper's appendix B, as circomlibjs's poseidon_opt
// and go-iden3-crypto run it) computes the same permutation with fewer
// multiplications. It is derived from the plain form by [deriveOpt]; its
// layout is go-iden3-crypto's, so that the tests can compare them:
//
//	s += c[0:t]
//	RF/2 full rounds r:   S(s); s += c[(r+1)t:]; s ← M·s (the last: P·s)
//	RP partial rounds j:  s[0] ← s[0]^5 + c[(RF/2+1)t + j]; s ← A_j·s
//	RF/2−1 full rounds r: S(s); s += c[(RF/2+1)t + RP + rt:]; s ← M·s
//	last full round:      S(s); s ← M·s
//
// where A_j is sparse: its first row is sparse[(2t−1)j : (2t−1)j+t] and its
// first column below the diagonal sparse[(2t−1)j+t : (2t−1)(j+1)], with the
// identity elsewhere.
type circomParams struct {
	t, rf, rp int

	rc  []fr.Element // plain round constants, (RF+RP)·t, round after round
	mds []fr.Element // M, t×t, row-major: s'[i] = Σ_j mds[i·t+j]·s[j]

	c      []fr.Element // optimized constants, RF·t + RP
	pre    []fr.Element // P, t×t, row-major, for the last of the first full rounds
	sparse []fr.Element // the A_j, 2t−1 per partial round
}

var circomCache [circomMaxInputs + 2]struct {
	once sync.Once
	p    *circomParams
	err  error
}

// circomParamsFor returns the constants of width t (2 to 17), generating
// them on first use.
func circomParamsFor(t int) (*circomParams, error) {
	c := &circomCache[t]
	c.once.Do(func() { c.p, c.err = newCircomParams(t) })
	return c.p, c.err
}

// newCircomParams generates width t's plain constants with the Grain LFSR
// and derives the optimized form from them.
func newCircomParams(t int) (*circomParams, error) {
	p := &circomParams{t: t, rf: circomFullRounds, rp: circomPartialRounds[t-2]}
	rc, m, ok := grainConstants(t, p.rf, p.rp)
	if !ok {
		return nil, errors.New("the Grain LFSR gave no Cauchy matrix at the first draw")
	}
	p.rc = rc
	p.mds = make([]fr.Element, 0, t*t)
	for i := range m {
		p.mds = append(p.mds, m[i]...)
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
func (p *circomParams) deriveOpt() error {
	t, h, rp := p.t, p.rf/2, p.rp
	rounds := p.rf + rp
	minv, err := circomInvert(p.mds, t)
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
		rc[r] = append([]fr.Element(nil), p.rc[r*t:(r+1)*t]...)
	}
	scalars := make([]fr.Element, rp)
	for r := h + rp - 1; r >= h; r-- {
		inv := mulVec(minv, rc[r+1])
		for k := 1; k < t; k++ {
			rc[r][k].Add(&rc[r][k], &inv[k])
		}
		scalars[r-h] = inv[0]
	}
	p.c = make([]fr.Element, 0, p.rf*t+rp)
	p.c = append(p.c, rc[0]...)
	for r := 1; r <= h; r++ {
		p.c = append(p.c, mulVec(minv, rc[r])...)
	}
	p.c = append(p.c, scalars...)
	for r := h + rp + 1; r < rounds; r++ {
		p.c = append(p.c, mulVec(minv, rc[r])...)
	}

	// Factor the partial rounds' matrices.
	n := t - 1
	d := make([]fr.Element, n*n)
	b := make([]fr.Element, n)
	w := make([]fr.Element, n)
	for i := range n {
		b[i] = p.mds[i+1]
		w[i] = p.mds[(i+1)*t]
		copy(d[i*n:(i+1)*n], p.mds[(i+1)*t+1:(i+2)*t])
	}
	dinv, err := circomInvert(d, n)
	if err != nil {
		return err
	}
	row, col := b, w // bᵀD^{−k} and D^{k−1}·w, from k = 1
	p.sparse = make([]fr.Element, (2*t-1)*rp)
	var tmp fr.Element
	for j := rp - 1; j >= 0; j-- {
		row = circomVecMat(row, dinv, n)
		a := p.sparse[(2*t-1)*j : (2*t-1)*(j+1)]
		a[0] = p.mds[0]
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
	dpow := circomMatPow(d, n, rp+1)
	p.pre = make([]fr.Element, t*t)
	copy(p.pre[:t], p.mds[:t])
	for i := range n {
		p.pre[(i+1)*t] = col[i]
		copy(p.pre[(i+1)*t+1:(i+2)*t], dpow[i*n:(i+1)*n])
	}
	return nil
}

// circomVecMat returns the row vector v times the n×n row-major matrix m.
func circomVecMat(v, m []fr.Element, n int) []fr.Element {
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

// circomMatMul returns x·y for n×n row-major matrices.
func circomMatMul(x, y []fr.Element, n int) []fr.Element {
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

// circomMatPow returns m^e (e ≥ 1) for an n×n row-major matrix, by squaring.
func circomMatPow(m []fr.Element, n, e int) []fr.Element {
	var acc []fr.Element
	sq := m
	for {
		if e&1 == 1 {
			if acc == nil {
				acc = append([]fr.Element(nil), sq...)
			} else {
				acc = circomMatMul(acc, sq, n)
			}
		}
		e >>= 1
		if e == 0 {
			return acc
		}
		sq = circomMatMul(sq, sq, n)
	}
}

// circomInvert returns the inverse of the n×n row-major matrix m, by Gauss–Jordan
// elimination, or an error when m is singular.
func circomInvert(m []fr.Element, n int) ([]fr.Element, error) {
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
