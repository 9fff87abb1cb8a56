package bn254

import (
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/utils/cpu"
)

// The batched kernel of circom Poseidon: up to circomBlock hashes at once,
// transposed so that element i of every state lies in one fr.Vector (a
// lane), and every step of the optimized permutation is a handful of
// fr.Vector operations on whole lanes, which gnark-crypto runs with AVX-512
// IFMA eight multiplications at a time (about twice the throughput of
// fr.Element.Mul). It computes exactly what circomParams.permute computes
// on each state.

// circomLanes says whether batches use the batched kernel: only where
// gnark-crypto's fr.Vector multiplications are vectorized.
var circomLanes = cpu.SupportAVX512IFMA

// circomBlock is the number of hashes of one run of the batched kernel;
// circomMinLanes the fewest worth it (gnark-crypto's vectors take 8
// elements at a time).
const (
	circomBlock    = 64
	circomMinLanes = 8
)

// circomLaneBuf holds the batched kernel's lanes and scratch.
type circomLaneBuf struct {
	s, u [circomMaxInputs + 1]fr.Vector // the state, and the next one
	tmp  fr.Vector
}

// newCircomLanes allocates the lanes of width t.
func newCircomLanes(t int) *circomLaneBuf {
	b := new(circomLaneBuf)
	mem := make([]fr.Element, (2*t+1)*circomBlock)
	cut := func() fr.Vector {
		v := mem[:circomBlock:circomBlock]
		mem = mem[circomBlock:]
		return v
	}
	for i := range t {
		b.s[i], b.u[i] = cut(), cut()
	}
	b.tmp = cut()
	return b
}

// hashes sets out[i] to the hash of in(i) (t−1 elements) for every i, on
// the calling goroutine: with the batched kernel, circomBlock hashes at a
// time, where circomLanes allows it, else one by one.
func (p *circomParams) hashes(out []fr.Element, in func(i int) []fr.Element) {
	n := len(out)
	if !circomLanes || n < circomMinLanes {
		for i := range out {
			out[i] = p.hash(in(i))
		}
		return
	}
	b := newCircomLanes(p.t)
	for start := 0; start < n; start += circomBlock {
		m := min(circomBlock, n-start)
		if m < circomMinLanes {
			for i := start; i < n; i++ {
				out[i] = p.hash(in(i))
			}
			return
		}
		p.permuteLanes(b, m, func(l int) []fr.Element { return in(start + l) })
		copy(out[start:start+m], b.s[0][:m])
	}
}

// permuteLanes loads the states [0, in(l)...] for l < m into b's lanes and
// permutes them; state l's element i is then b.s[i][l].
func (p *circomParams) permuteLanes(b *circomLaneBuf, m int, in func(l int) []fr.Element) {
	t, h, rp := p.t, p.rf/2, p.rp
	var s, u [circomMaxInputs + 1]fr.Vector
	for i := range t {
		s[i], u[i] = b.s[i][:m], b.u[i][:m]
	}
	tmp := b.tmp[:m]
	clear(s[0])
	for l := range m {
		x := in(l)
		for i := 1; i < t; i++ {
			s[i][l] = x[i-1]
		}
	}
	addConst := func(v fr.Vector, c *fr.Element) {
		for l := range v {
			v[l].Add(&v[l], c)
		}
	}
	pow5v := func(v fr.Vector) {
		tmp.Mul(v, v)
		tmp.Mul(tmp, tmp)
		v.Mul(v, tmp)
	}
	mix := func(m []fr.Element) { // s ← m·s
		for i := range t {
			u[i].ScalarMul(s[0], &m[i*t])
			for j := 1; j < t; j++ {
				tmp.ScalarMul(s[j], &m[i*t+j])
				u[i].Add(u[i], tmp)
			}
		}
		s, u = u, s
	}

	c := p.c
	for i := range t {
		addConst(s[i], &c[i])
	}
	c = c[t:]
	for r := range h {
		for i := range t {
			pow5v(s[i])
			addConst(s[i], &c[i])
		}
		c = c[t:]
		if r < h-1 {
			mix(p.mds)
		} else {
			mix(p.pre)
		}
	}
	sp := p.sparse
	for j := range rp {
		pow5v(s[0])
		addConst(s[0], &c[j])
		a := sp[:2*t-1]
		sp = sp[2*t-1:]
		u[0].ScalarMul(s[0], &a[0])
		for k := 1; k < t; k++ {
			tmp.ScalarMul(s[k], &a[k])
			u[0].Add(u[0], tmp)
			tmp.ScalarMul(s[0], &a[t+k-1])
			s[k].Add(s[k], tmp)
		}
		s[0], u[0] = u[0], s[0]
	}
	c = c[rp:]
	for range h - 1 {
		for i := range t {
			pow5v(s[i])
			addConst(s[i], &c[i])
		}
		c = c[t:]
		mix(p.mds)
	}
	for i := range t {
		pow5v(s[i])
	}
	mix(p.mds)
	// The lanes were swapped an even or odd number of times: put the state
	// back in b.s.
	for i := range t {
		if &s[i][0] != &b.s[i][0] {
			copy(b.s[i][:m], s[i])
		}
	}
}
