package goldilocks

import (
	"math/bits"

	field "github.com/consensys/gnark-crypto/field/goldilocks"
)

// The shape of Polygon Hermez's Poseidon.
const (
	hermezWidth         = 12 // state elements
	hermezRate          = 8  // input elements, state[0..7]
	hermezCapacity      = 4  // capacity elements, state[8..11]; also the output size
	hermezFullRounds    = 8  // half before, half after the partial rounds
	hermezPartialRounds = 22
	// hermezNbRoundConsts counts the round constants of the optimised form:
	// 12 initial ones, 12 for each full round but the last, 1 for each
	// partial round.
	hermezNbRoundConsts = hermezWidth*hermezFullRounds + hermezPartialRounds // 118

	// hermezModulus is the Goldilocks prime 2^64 − 2^32 + 1.
	hermezModulus = 0xFFFFFFFF00000001
	// hermezEpsilon is 2^64 mod p = 2^32 − 1.
	hermezEpsilon = 0xFFFFFFFF
)

// hermezRC holds hermezRoundConsts as Montgomery words, the form the
// permutation adds them in.
var hermezRC [hermezNbRoundConsts]uint64

// hermezMDS is the MDS matrix M as rows, s'[i] = Σ_j hermezMDS[i][j]·s[j];
// hermezPre is hermezPreMatrix transposed to the same shape.
var hermezMDS, hermezPre [hermezWidth][hermezWidth]uint64

func init() {
	for i, c := range hermezRoundConsts {
		var e field.Element
		hermezRC[i] = e.SetUint64(c)[0]
	}
	for i := range hermezWidth {
		for k, c := range hermezMDSCirc {
			hermezMDS[i][(i+k)%hermezWidth] += c
		}
		hermezMDS[i][i] += hermezMDSDiag[i]
		for j := range hermezWidth {
			hermezPre[i][j] = hermezPreMatrix[j][i]
		}
	}
}

// PermuteHermez applies Polygon Hermez's Poseidon permutation over
// Goldilocks to state in place: width 12, 4 + 22 + 4 rounds, S-box x^7, the
// MDS matrix and round constants of 0xPolygonHermez/goldilocks (the
// permutation of its PoseidonGoldilocks, whose full 12-element result this
// is, and of go-iden3-crypto's goldenposeidon.Hash). A Hermez hash lays its 8 inputs in
// state[0..7] and its 4 capacity elements in state[8..11] and outputs
// state[0..3] after the permutation; [HashHermez] does that.
//
// PermuteHermez always runs on the CPU, on the calling goroutine. Every
// element of state must be reduced (as every goldilocks.Element built by
// gnark-crypto is); the result is then reduced too. It is not constant-time.
func PermuteHermez(state *[12]field.Element) {
	// The permutation works on the elements' Montgomery words x = X·2^64
	// mod p: additions and S-boxes with Montgomery arithmetic, the linear
	// layers with the matrices' plain integers (see hermezDot). Its
	// arithmetic is gnark-crypto's, written without the data-dependent
	// branches of field.Element's Add and Mul, which the processor would
	// mispredict half the time; TestHermezFastPath checks it against a
	// version on field.Element's own methods.
	var s [hermezWidth]uint64
	for i := range s {
		s[i] = hermezAdd(state[i][0], hermezRC[i])
	}
	rc := hermezRC[hermezWidth:]

	// The first half of the full rounds; the last of them multiplies by the
	// pre-matrix P instead of M.
	for r := range hermezFullRounds / 2 {
		for i := range s {
			s[i] = hermezAdd(hermezSbox(s[i]), rc[i])
		}
		rc = rc[hermezWidth:]
		if r < hermezFullRounds/2-1 {
			hermezMDSMul(&s)
		} else {
			hermezMatMul(&s, &hermezPre)
		}
	}

	// The partial rounds: the S-box on state[0] only, one constant, and a
	// sparse matrix: s'[0] = Σ_i w[i]·s[i], s'[i] = s[i] + v[i−1]·s[0].
	for r := range hermezPartialRounds {
		s[0] = hermezAdd(hermezSbox(s[0]), rc[r])
		sp := &hermezSparse[r]
		first := hermezDot((*[hermezWidth]uint64)(sp[:hermezWidth]), &s)
		v := sp[hermezWidth:]
		for i := 1; i < hermezWidth; i++ {
			hi, lo := bits.Mul64(v[i-1], s[0])
			var c uint64
			lo, c = bits.Add64(lo, s[i], 0)
			hi += c // no overflow: hi ≤ 2^64 − 2 before
			s[i] = hermezReduce128(hi, lo)
		}
		s[0] = first
	}
	rc = rc[hermezPartialRounds:]

	// The second half of the full rounds; the last adds no constant.
	for range hermezFullRounds/2 - 1 {
		for i := range s {
			s[i] = hermezAdd(hermezSbox(s[i]), rc[i])
		}
		rc = rc[hermezWidth:]
		hermezMDSMul(&s)
	}
	for i := range s {
		s[i] = hermezSbox(s[i])
	}
	hermezMDSMul(&s)

	for i := range s {
		state[i][0] = s[i]
	}
}

// hermezMontMul returns the Montgomery product x·y·2^−64 mod p of words
// x, y < p, as field.Element.Mul computes it, without branches.
func hermezMontMul(x, y uint64) uint64 {
	const pInvNeg = 0xFFFFFFFEFFFFFFFF // −1/p mod 2^64
	hi, lo := bits.Mul64(x, y)
	mh, _ := bits.Mul64(lo*pInvNeg, hermezModulus)
	// lo + (m·p mod 2^64) is 0 when lo is, else 2^64: a carry of 1. mh ≤ p
	// − 1, so mh + 1 does not overflow.
	if lo != 0 { // almost always: predicted
		mh++
	}
	// (x·y + m·p)/2^64 = top·2^64 + r < 2p: subtract p when it is ≥ p.
	r, top := bits.Add64(hi, mh, 0)
	return hermezSelectSub(r, top)
}

// hermezAdd returns x + y mod p for words x, y < p, without branches.
func hermezAdd(x, y uint64) uint64 {
	r, top := bits.Add64(x, y, 0)
	return hermezSelectSub(r, top)
}

// hermezSelectSub returns top·2^64 + r − p when that is ≥ 0, else r, for a
// value top·2^64 + r < 2p (top is 0 or 1).
func hermezSelectSub(r, top uint64) uint64 {
	d, borrow := bits.Sub64(r, hermezModulus, 0)
	keep := borrow &^ top // 1: r < p and no top bit, keep r
	return d + keep*hermezModulus
}

// hermezSbox returns x^7 for a Montgomery word x.
func hermezSbox(x uint64) uint64 {
	x2 := hermezMontMul(x, x)
	x3 := hermezMontMul(x2, x)
	x4 := hermezMontMul(x2, x2)
	return hermezMontMul(x4, x3)
}

// hermezMDSMul sets s to M·s, for the MDS matrix M, whose entries are
// below 2^6 (rows sum to 264 < 2^9). Each word x = xh·2^32 + xl is split in
// halves, so that every product fits in 64 bits: Σ c·xl and Σ c·xh are both
// below 2^41, and the row's sum (Σ c·xh)·2^32 + Σ c·xl is below 2^74.
func hermezMDSMul(s *[hermezWidth]uint64) {
	var xl, xh [hermezWidth]uint64
	for j, x := range s {
		xl[j], xh[j] = x&hermezEpsilon, x>>32
	}
	for i := range s {
		row := &hermezMDS[i]
		var sl, sh uint64
		for j := range hermezWidth {
			sl += row[j] * xl[j]
			sh += row[j] * xh[j]
		}
		lo, carry := bits.Add64(sl, sh<<32, 0)
		s[i] = hermezReduce96(sh>>32+carry, lo)
	}
}

// hermezReduce96 returns hi·2^64 + lo reduced modulo p, in [0, p), for
// hi < 2^32: hi·2^64 ≡ hi·(2^32 − 1).
func hermezReduce96(hi, lo uint64) uint64 {
	r, carry := bits.Add64(lo, hi*hermezEpsilon, 0)
	// If r wrapped around, add 2^64 ≡ ε: r < hi·ε ≤ 2^64 − 2^33 + 1.
	r += carry * hermezEpsilon
	if r >= hermezModulus { // rare: predicted
		r -= hermezModulus
	}
	return r
}

// hermezMatMul sets s to m·s.
func hermezMatMul(s *[hermezWidth]uint64, m *[hermezWidth][hermezWidth]uint64) {
	var t [hermezWidth]uint64
	for i := range t {
		t[i] = hermezDot(&m[i], s)
	}
	*s = t
}

// hermezDot returns the Montgomery word of the element Σ_j c[j]·s[j]
// (mod p), for Montgomery words s and constants c given as plain integers
// (canonical, not Montgomery form).
//
// Multiplying an element's Montgomery word x = X·R mod p by a plain integer
// c and reducing modulo p gives (c·X)·R mod p, the Montgomery word of c·X:
// the linear layers therefore work on the words directly, with one
// reduction per output instead of one Montgomery multiplication per term.
func hermezDot(c *[hermezWidth]uint64, s *[hermezWidth]uint64) uint64 {
	var lo, hi, top uint64 // the 192-bit sum top·2^128 + hi·2^64 + lo
	for j := range hermezWidth {
		ph, pl := bits.Mul64(c[j], s[j])
		var carry uint64
		lo, carry = bits.Add64(lo, pl, 0)
		hi, carry = bits.Add64(hi, ph, carry)
		top += carry
	}
	r := hermezReduce128(hi, lo)
	// 2^128 ≡ −2^32 (mod p), and top·2^32 ≤ 12·2^32 < p.
	r, borrow := bits.Sub64(r, top<<32, 0)
	if borrow != 0 {
		r += hermezModulus
	}
	return r
}

// hermezReduce128 returns hi·2^64 + lo reduced modulo p, in [0, p).
//
// With hi = hh·2^32 + hl, 2^64 ≡ 2^32 − 1 and 2^96 ≡ −1 (mod p), so
// hi·2^64 + lo ≡ lo − hh + hl·(2^32 − 1).
func hermezReduce128(hi, lo uint64) uint64 {
	// The carries are random: they are applied arithmetically, not by
	// branches the processor would mispredict.
	hh, hl := hi>>32, hi&hermezEpsilon
	t, borrow := bits.Sub64(lo, hh, 0)
	// If t wrapped around, t − 2^64 ≡ t − ε, and t ≥ 2^64 − 2^32 > ε.
	t -= borrow * hermezEpsilon
	r, carry := bits.Add64(t, hl*hermezEpsilon, 0)
	// If r wrapped around, add 2^64 ≡ ε: r < hl·ε ≤ 2^64 − 2^33 + 1, so r + ε
	// does not overflow.
	r += carry * hermezEpsilon
	if r >= hermezModulus { // rare: predicted
		r -= hermezModulus
	}
	return r
}
