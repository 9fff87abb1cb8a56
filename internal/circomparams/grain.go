package circomparams

import (
	"encoding/binary"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// The constants of circomlib's Poseidon are not embedded: they are derived,
// as circomlib derived them, with the Grain LFSR procedure of the Poseidon
// reference implementation (Grassi, Khovratovich, Rechberger, Roy,
// Schofnegger, "Poseidon: A New Hash Function for Zero-Knowledge Proof
// Systems", eprint 2019/458, and its generate_parameters_grain.sage): an
// 80-bit LFSR seeded with the instance's parameters, self-shrunk, read 254
// bits at a time. Its first (RF+RP)·t accepted draws (a draw ≥ p is
// rejected) are the round constants; the next 2t draws, reduced mod p, are
// the points x_0…x_{t−1}, y_0…y_{t−1} of the Cauchy MDS matrix
// M[i][j] = 1/(x_i + y_j). The tests check the result against the constants
// that go-iden3-crypto embeds (from circomlibjs) for every width.

// Grain LFSR parameters of the Poseidon reference for circomlib's instance.
const (
	grainFieldPrime = 1   // 2 bits: the field is GF(p)
	grainSboxPower  = 0   // 4 bits: the S-box is x^α with α > 0
	grainFieldBits  = 254 // 12 bits: n, the bit length of p
)

// grain is the Poseidon reference's Grain LFSR in self-shrinking mode. The
// register holds the last 80 bits of the raw sequence s: lo has s[i…i+63]
// (bit j is s[i+j]) and hi has s[i+64…i+79] in its low 16 bits. The raw
// sequence obeys s[k+80] = s[k+62] ⊕ s[k+51] ⊕ s[k+38] ⊕ s[k+23] ⊕ s[k+13]
// ⊕ s[k], so 16 new bits can be computed at once from the register.
type grain struct {
	lo, hi uint64
	out    uint64 // output bits not yet consumed, the oldest the most significant
	nout   int    // how many, < 64
}

// shrink maps a byte of raw bits (oldest in bit 0) to its self-shrunk
// output: four pairs (a, b), b kept where a is 1. The low 3 bits are the
// count of output bits, the bits above them the output, oldest first.
var shrink = func() (tab [256]uint8) {
	for x := range 256 {
		var v, n uint8
		for k := 0; k < 8; k += 2 {
			if x>>k&1 == 1 {
				v = v<<1 | uint8(x>>(k+1)&1)
				n++
			}
		}
		tab[x] = v<<3 | n
	}
	return tab
}()

// newGrain seeds the LFSR for a field of n bits, width t and rounds rf, rp,
// and discards its first 160 raw bits, as the reference does.
func newGrain(n, t, rf, rp int) *grain {
	// The 80 seed bits, first bit first: field (2), S-box (4), n (12),
	// t (12), RF (10), RP (10), then 30 ones. Each field is written most
	// significant bit first.
	fields := []struct{ v, bits int }{
		{grainFieldPrime, 2}, {grainSboxPower, 4}, {n, 12}, {t, 12}, {rf, 10}, {rp, 10}, {1<<30 - 1, 30},
	}
	g := new(grain)
	pos := 0
	for _, f := range fields {
		for b := f.bits - 1; b >= 0; b-- {
			bit := uint64(f.v>>b) & 1
			if pos < 64 {
				g.lo |= bit << pos
			} else {
				g.hi |= bit << (pos - 64)
			}
			pos++
		}
	}
	for range 160 / 16 {
		g.step16()
	}
	return g
}

// step16 advances the LFSR by 16 raw bits and returns them, oldest in bit 0.
func (g *grain) step16() uint64 {
	lo, hi := g.lo, g.hi
	nb := (lo ^ lo>>13 ^ lo>>23 ^ lo>>38 ^ (lo>>51 | hi<<13) ^ (lo>>62 | hi<<2)) & 0xFFFF
	g.lo = lo>>16 | hi<<48
	g.hi = nb
	return nb
}

// take returns the next k ≤ 32 output bits, the first output the most
// significant. Raw bits are read in pairs (a, b), and b is output when a is
// 1, dropped when a is 0.
func (g *grain) take(k int) uint64 {
	for g.nout < k {
		raw := g.step16()
		for _, x := range [2]uint8{uint8(raw), uint8(raw >> 8)} {
			e := shrink[x]
			n := int(e & 7)
			g.out = g.out<<n | uint64(e>>3)
			g.nout += n
		}
	}
	g.nout -= k
	v := g.out >> g.nout & (1<<k - 1)
	g.out &= 1<<g.nout - 1
	return v
}

// bits returns the next n ≤ 256 output bits as a 32-byte big-endian integer,
// the first bit output being the most significant.
func (g *grain) bits(n int) (out [32]byte) {
	var w [4]uint64 // little-endian limbs
	for n > 0 {
		k := min(n, 32)
		w[3] = w[3]<<k | w[2]>>(64-k)
		w[2] = w[2]<<k | w[1]>>(64-k)
		w[1] = w[1]<<k | w[0]>>(64-k)
		w[0] = w[0]<<k | g.take(k)
		n -= k
	}
	for i := range 4 {
		binary.BigEndian.PutUint64(out[24-8*i:], w[i])
	}
	return out
}

// element draws field elements of n bits until one is < p (the reference's
// round-constant sampling) and returns it.
func (g *grain) element(n int) fr.Element {
	for {
		b := g.bits(n)
		if e, err := fr.BigEndian.Element(&b); err == nil {
			return e
		}
	}
}

// reduced draws one n-bit integer and returns it mod p (the reference's
// sampling of the MDS matrix's points, F(grain_random_bits(n))).
func (g *grain) reduced(n int) fr.Element {
	b := g.bits(n)
	var e fr.Element
	e.SetBytes(b[:])
	return e
}

// GrainConstants returns the reference's round constants for width t with
// rf full and rp partial rounds, (rf+rp)·t of them in round order, and its
// Cauchy MDS matrix, m[i][j] = 1/(x_i + y_j), drawn next from the same
// stream. ok is false when the draw of the matrix would need the
// reference's retry (a repeated point or x_i + y_j = 0), which never happens
// for circomlib's widths.
func GrainConstants(t, rf, rp int) (rc []fr.Element, m [][]fr.Element, ok bool) {
	g := newGrain(grainFieldBits, t, rf, rp)
	rc = make([]fr.Element, (rf+rp)*t)
	for i := range rc {
		rc[i] = g.element(grainFieldBits)
	}
	pts := make([]fr.Element, 2*t)
	for i := range pts {
		pts[i] = g.reduced(grainFieldBits)
	}
	for i := range pts {
		for j := range i {
			if pts[i].Equal(&pts[j]) {
				return rc, nil, false
			}
		}
	}
	m = make([][]fr.Element, t)
	flat := make([]fr.Element, t*t)
	for i := range m {
		m[i] = flat[i*t : (i+1)*t]
		for j := range m[i] {
			m[i][j].Add(&pts[i], &pts[t+j])
			if m[i][j].IsZero() {
				return rc, nil, false
			}
		}
	}
	// One batch inversion for all t² entries.
	inv := fr.BatchInvert(flat)
	copy(flat, inv)
	return rc, m, true
}
