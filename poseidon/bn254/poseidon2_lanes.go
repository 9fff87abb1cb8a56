package bn254

import "github.com/consensys/gnark-crypto/ecc/bn254/fr"

// The batched kernel: up to p2Block(width) states at once, transposed so that
// element j of every state lies in one fr.Vector (a column), and every step
// of the permutation is a handful of fr.Vector operations on whole columns,
// which gnark-crypto runs with AVX-512 IFMA eight elements at a time. It
// computes exactly what p2Instance.permute computes on each state.

// p2LaneBuf holds the batched kernel's columns and temporaries.
type p2LaneBuf struct {
	cols []fr.Vector // width columns of p2Block(width) elements
	cur  []fr.Vector // cols cut to the current number of states
	tmp  [6]fr.Vector
}

// newLanes allocates the buffers of the batched kernel for in's width.
func (in *p2Instance) newLanes() *p2LaneBuf {
	b := &p2LaneBuf{cols: make([]fr.Vector, in.width), cur: make([]fr.Vector, in.width)}
	m := p2Block(in.width)
	mem := make([]fr.Element, (in.width+len(b.tmp))*m)
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
func p2Fill(v fr.Vector, x *fr.Element) {
	v[0] = *x
	for k := 1; k < len(v); k *= 2 {
		copy(v[k:], v[:k])
	}
}

// p2SBoxLanes sets every element of v to its fifth power, with tmp (of
// len(v) elements) as scratch.
func p2SBoxLanes(v, tmp fr.Vector) {
	tmp.Mul(v, v)
	tmp.Mul(tmp, tmp)
	v.Mul(v, tmp)
}

// p2M4Lanes multiplies the columns s[0:4] by M4 (the chain of p2M4), with
// t[0:4] as scratch.
func p2M4Lanes(s, t []fr.Vector) {
	a, b, c, d := t[0], t[1], t[2], t[3]
	a.Add(s[0], s[1]) // t0 = s0 + s1
	b.Add(s[2], s[3]) // t1 = s2 + s3
	c.Add(s[1], s[1])
	c.Add(c, b) // t2 = 2s1 + t1
	d.Add(s[3], s[3])
	d.Add(d, a) // t3 = 2s3 + t0
	b.Add(b, b)
	b.Add(b, b)
	b.Add(b, d) // t4 = 4t1 + t3
	a.Add(a, a)
	a.Add(a, a)
	a.Add(a, c)    // t5 = 4t0 + t2
	s[0].Add(d, a) // t3 + t5
	copy(s[1], a)  // t5
	s[2].Add(c, b) // t2 + t4
	copy(s[3], b)  // t4
}

// externalLanes multiplies every state of the columns c by M_E.
func (in *p2Instance) externalLanes(c []fr.Vector, tmp []fr.Vector) {
	sum := tmp[0]
	switch len(c) {
	case 2:
		sum.Add(c[0], c[1])
		c[0].Add(c[0], sum)
		c[1].Add(c[1], sum)
	case 3:
		sum.Add(c[0], c[1])
		sum.Add(sum, c[2])
		c[0].Add(c[0], sum)
		c[1].Add(c[1], sum)
		c[2].Add(c[2], sum)
	case 4:
		p2M4Lanes(c, tmp)
	default:
		for i := 0; i < len(c); i += 4 {
			p2M4Lanes(c[i:i+4], tmp)
		}
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
}

// internalLanes multiplies every state of the columns c by M_I.
func (in *p2Instance) internalLanes(c []fr.Vector, tmp []fr.Vector) {
	sum := tmp[0]
	sum.Add(c[0], c[1])
	for j := 2; j < len(c); j++ {
		sum.Add(sum, c[j])
	}
	switch len(c) {
	case 2, 3:
		last := c[len(c)-1]
		for j := 0; j < len(c)-1; j++ {
			c[j].Add(c[j], sum)
		}
		last.Add(last, last)
		last.Add(last, sum)
	default:
		for j := range c {
			c[j].ScalarMul(c[j], &in.diag[j])
			c[j].Add(c[j], sum)
		}
	}
}

// fullLanes runs one full round on the columns c with the round's keys k.
func (in *p2Instance) fullLanes(c []fr.Vector, k []fr.Element, tmp []fr.Vector) {
	bc, sq := tmp[4], tmp[5]
	for j := range c {
		p2Fill(bc, &k[j])
		c[j].Add(c[j], bc)
		p2SBoxLanes(c[j], sq)
	}
	in.externalLanes(c, tmp)
}

// permuteLanes permutes the len(states)/width states, 1 to
// p2Block(width) of them, in place, with the buffers b.
func (in *p2Instance) permuteLanes(states []fr.Element, b *p2LaneBuf) {
	t := in.width
	m := len(states) / t
	c := b.cur
	for j := range c {
		c[j] = b.cols[j][:m]
	}
	var tmp [len(b.tmp)]fr.Vector
	for i := range tmp {
		tmp[i] = b.tmp[i][:m]
	}
	for l := range m {
		row := states[l*t : (l+1)*t]
		for j := range row {
			c[j][l] = row[j]
		}
	}

	in.externalLanes(c, tmp[:])
	k := in.keys
	half := in.rf / 2
	for r := range half {
		in.fullLanes(c, k[r*t:], tmp[:])
	}
	k = k[half*t:]
	bc, sq := tmp[4], tmp[5]
	for r := range in.rp {
		p2Fill(bc, &k[r])
		c[0].Add(c[0], bc)
		p2SBoxLanes(c[0], sq)
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
