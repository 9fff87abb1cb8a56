package koalabear

import field "github.com/consensys/gnark-crypto/field/koalabear"

// The batched kernel: up to p2Block(width) states at once, transposed so
// that element j of every state lies in one field.Vector (a column), and
// every step of the permutation is a handful of field.Vector operations on
// whole columns, which gnark-crypto runs with AVX-512 sixteen elements at a
// time. It computes exactly what p2Instance.permute computes on each state.

// p2LaneBuf holds the batched kernel's columns and temporaries.
type p2LaneBuf struct {
	cols []field.Vector // width columns of p2Block(width) elements
	cur  []field.Vector // cols cut to the current number of states
	tmp  [6]field.Vector
}

// newLanes allocates the buffers of the batched kernel for in's width.
func (in *p2Instance) newLanes() *p2LaneBuf {
	b := &p2LaneBuf{cols: make([]field.Vector, in.width), cur: make([]field.Vector, in.width)}
	m := p2Block(in.width)
	mem := make([]field.Element, (in.width+len(b.tmp))*m)
	for j := range b.cols {
		b.cols[j] = mem[j*m : (j+1)*m : (j+1)*m]
	}
	for i := range b.tmp {
		j := in.width + i
		b.tmp[i] = mem[j*m : (j+1)*m : (j+1)*m]
	}
	return b
}

// p2Fill sets every element of v to x.
func p2Fill(v field.Vector, x *field.Element) {
	v[0] = *x
	for k := 1; k < len(v); k *= 2 {
		copy(v[k:], v[:k])
	}
}

// p2SBoxLanes sets every element of v to its cube, with x2 (of len(v)
// elements) as scratch; x4 is unused.
func p2SBoxLanes(v, x2, x4 field.Vector) {
	x2.Mul(v, v)
	v.Mul(v, x2)
}

// p2M4Lanes multiplies the columns s[0:4] by M4 (the chain of p2M4), with
// t[0:4] as scratch.
func p2M4Lanes(s, t []field.Vector) {
	t01, t23, t01123, t01233 := t[0], t[1], t[2], t[3]
	t01.Add(s[0], s[1])
	t23.Add(s[2], s[3])
	t01233.Add(t01, t23) // t0123 for now
	t01123.Add(t01233, s[1])
	t01233.Add(t01233, s[3])
	s[3].Add(s[0], s[0])
	s[3].Add(s[3], t01233)
	s[1].Add(s[2], s[2])
	s[1].Add(s[1], t01123)
	s[0].Add(t01, t01123)
	s[2].Add(t23, t01233)
}

// p2ExternalLanes multiplies every state of the columns c by M_E.
func p2ExternalLanes(c []field.Vector, tmp []field.Vector) {
	for i := 0; i < len(c); i += 4 {
		p2M4Lanes(c[i:i+4], tmp)
	}
	sum := tmp[0]
	for r := range 4 {
		sum.Add(c[r], c[4+r])
		for i := 8; i < len(c); i += 4 {
			sum.Add(sum, c[i+r])
		}
		for i := 0; i < len(c); i += 4 {
			c[i+r].Add(c[i+r], sum)
		}
	}
}

// internalLanes multiplies every state of the columns c by M_I.
func (in *p2Instance) internalLanes(c []field.Vector, tmp []field.Vector) {
	sum := tmp[0]
	sum.Add(c[0], c[1])
	for j := 2; j < len(c); j++ {
		sum.Add(sum, c[j])
	}
	for j := range c {
		c[j].ScalarMul(c[j], &in.diag[j])
		c[j].Add(c[j], sum)
	}
}

// fullLanes runs one full round on the columns c with the round's keys k.
func (in *p2Instance) fullLanes(c []field.Vector, k []field.Element, tmp []field.Vector) {
	for j := range c {
		p2Fill(tmp[3], &k[j])
		c[j].Add(c[j], tmp[3])
		p2SBoxLanes(c[j], tmp[4], tmp[5])
	}
	p2ExternalLanes(c, tmp)
}

// permuteLanes permutes the len(states)/width states, 1 to
// p2Block(width) of them, in place, with the buffers b.
func (in *p2Instance) permuteLanes(states []field.Element, b *p2LaneBuf) {
	t := in.width
	m := len(states) / t
	c := b.cur
	for j := range c {
		c[j] = b.cols[j][:m]
	}
	var tmp [len(b.tmp)]field.Vector
	for i := range tmp {
		tmp[i] = b.tmp[i][:m]
	}
	for l := range m {
		row := states[l*t : (l+1)*t]
		for j := range row {
			c[j][l] = row[j]
		}
	}

	p2ExternalLanes(c, tmp[:])
	k := in.keys
	half := in.rf / 2
	for r := range half {
		in.fullLanes(c, k[r*t:], tmp[:])
	}
	k = k[half*t:]
	for r := range in.rp {
		p2Fill(tmp[3], &k[r])
		c[0].Add(c[0], tmp[3])
		p2SBoxLanes(c[0], tmp[4], tmp[5])
		in.internalLanes(c, tmp[:])
	}
	k = k[in.rp:]
	for r := range in.rf - half {
		in.fullLanes(c, k[r*t:], tmp[:])
	}

	for l := range m {
		row := states[l*t : (l+1)*t]
		for j := range row {
			row[j] = c[j][l]
		}
	}
}
