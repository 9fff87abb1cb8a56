package bn254

import "github.com/consensys/gnark-crypto/ecc/bn254/fr"

// circomState is a permutation state of any width up to 17; a width t uses
// its first t elements.
type circomState [circomMaxInputs + 1]fr.Element

// circomPow5 sets x to x^5.
func circomPow5(x *fr.Element) {
	var x2 fr.Element
	x2.Square(x)
	x2.Square(&x2)
	x.Mul(x, &x2)
}

// circomMulMat sets s[:t] to m·s[:t] for the t×t row-major matrix m.
func circomMulMat(s *circomState, m []fr.Element, t int) {
	var out circomState
	var tmp fr.Element
	m = m[:t*t]
	for i := range t {
		row := m[i*t : (i+1)*t]
		out[i].Mul(&row[0], &s[0])
		for j := 1; j < t; j++ {
			tmp.Mul(&row[j], &s[j])
			out[i].Add(&out[i], &tmp)
		}
	}
	copy(s[:t], out[:t])
}

// permutePlain applies the Poseidon permutation to s[:t] as the paper
// defines it (see circomParams). It is the reference the optimized
// permutation is tested against.
func (p *circomParams) permutePlain(s *circomState) {
	t := p.t
	h := p.rf / 2
	for r := range p.rf + p.rp {
		rc := p.rc[r*t : (r+1)*t]
		for i := range t {
			s[i].Add(&s[i], &rc[i])
		}
		if r < h || r >= h+p.rp {
			for i := range t {
				circomPow5(&s[i])
			}
		} else {
			circomPow5(&s[0])
		}
		circomMulMat(s, p.mds, t)
	}
}

// permute applies the Poseidon permutation to s[:t] in the optimized form
// (see circomParams).
func (p *circomParams) permute(s *circomState) {
	t, h, rp := p.t, p.rf/2, p.rp
	c := p.c
	for i := range t {
		s[i].Add(&s[i], &c[i])
	}
	c = c[t:]
	for r := range h {
		for i := range t {
			circomPow5(&s[i])
			s[i].Add(&s[i], &c[i])
		}
		c = c[t:]
		if r < h-1 {
			circomMulMat(s, p.mds, t)
		} else {
			circomMulMat(s, p.pre, t)
		}
	}
	var tmp fr.Element
	sp := p.sparse
	for j := range rp {
		circomPow5(&s[0])
		s[0].Add(&s[0], &c[j])
		a := sp[:2*t-1]
		sp = sp[2*t-1:]
		// s'[0] = Σ_k a[k]·s[k]; s'[k] = s[k] + a[t+k−1]·s[0] for k ≥ 1.
		var s0 fr.Element
		s0.Mul(&a[0], &s[0])
		for k := 1; k < t; k++ {
			tmp.Mul(&a[k], &s[k])
			s0.Add(&s0, &tmp)
			tmp.Mul(&a[t+k-1], &s[0])
			s[k].Add(&s[k], &tmp)
		}
		s[0] = s0
	}
	c = c[rp:]
	for range h - 1 {
		for i := range t {
			circomPow5(&s[i])
			s[i].Add(&s[i], &c[i])
		}
		c = c[t:]
		circomMulMat(s, p.mds, t)
	}
	for i := range t {
		circomPow5(&s[i])
	}
	circomMulMat(s, p.mds, t)
}
