package koalabear

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	field "github.com/consensys/gnark-crypto/field/koalabear"
	"github.com/consensys/gnark-crypto/field/koalabear/poseidon2"
	"github.com/consensys/gnark-crypto/utils/cpu"

	"github.com/zkaccel/zkaccel/internal/parallel"
)

// p2DiagValues are the internal matrices' diagonals minus one, as canonical
// values, per width: Plonky3's KoalaBear Poseidon2 diagonals
// [−2, 1, 2, 1/2, 3, 4, −1/2, −3, −4, 1/2^8, 1/8, 1/2^24, −1/2^8, −1/8,
// −1/16, −1/2^24] and (width 24) [−2, 1, 2, 1/2, 3, 4, −1/2, −3, −4, 1/2^8,
// 1/4, 1/8, 1/16, 1/32, 1/64, 1/2^24, −1/2^8, −1/8, −1/16, −1/32, −1/64,
// −1/2^7, −1/2^9, −1/2^24], as gnark-crypto v0.21.0 sets them
// (field/koalabear/poseidon2/hash.go, diag16 and diag24).
var p2DiagValues = map[int][]uint64{
	16: {
		2130706431, 1, 2, 1065353217, 3, 4, 1065353216, 2130706430,
		2130706429, 2122383361, 1864368129, 2130706306, 8323072, 266338304, 133169152, 127,
	},
	24: {
		2130706431, 1, 2, 1065353217, 3, 4, 1065353216, 2130706430,
		2130706429, 2122383361, 1598029825, 1864368129, 1997537281, 2064121857, 2097414145, 2130706306,
		8323072, 266338304, 133169152, 66584576, 33292288, 16646144, 4161536, 127,
	},
}

// p2Diags holds p2DiagValues as field elements, made on first use.
var p2Diags = sync.OnceValue(func() map[int][]field.Element {
	m := map[int][]field.Element{}
	for t, vs := range p2DiagValues {
		d := make([]field.Element, t)
		for i, v := range vs {
			d[i].SetUint64(v)
		}
		m[t] = d
	}
	return m
})

// p2Diag returns the diagonal minus one for width t (shared: do not
// modify), or nil for a width gnark-crypto does not support.
func p2Diag(t int) []field.Element { return p2Diags()[t] }

// p2Instance is a poseidon2.Parameters value, checked and laid out for the
// permutation: the round keys flattened in round order, exactly as a device
// receives them in zkaccel.Poseidon2Request.RoundKeys.
type p2Instance struct {
	width  int
	rf, rp int             // full and partial rounds
	keys   []field.Element // rf·width + rp round keys, round after round
	diag   []field.Element // the internal matrix's diagonal minus one
}

// p2Compile checks params and flattens its round keys. The checks are what
// gnark-crypto's Permutation relies on without checking (it panics or reads
// out of range instead): a width of 16 or 24, non-negative round counts,
// one RoundKeys entry per round with width keys for a full round and, for a
// partial round, one key or width keys of which all but the first are zero
// (gnark-crypto's Permutation adds every key of the entry).
func p2Compile(params *poseidon2.Parameters) (*p2Instance, error) {
	if params == nil {
		return nil, errors.New("nil parameters")
	}
	t, rf, rp := params.Width, params.NbFullRounds, params.NbPartialRounds
	diag := p2Diag(t)
	if diag == nil {
		return nil, fmt.Errorf("width %d: the width must be 16 or 24", t)
	}
	if rf < 0 || rp < 0 {
		return nil, fmt.Errorf("negative round count (NbFullRounds %d, NbPartialRounds %d)", rf, rp)
	}
	if len(params.RoundKeys) != rf+rp {
		return nil, fmt.Errorf("RoundKeys has %d rounds, want NbFullRounds + NbPartialRounds = %d", len(params.RoundKeys), rf+rp)
	}
	in := &p2Instance{width: t, rf: rf, rp: rp, keys: make([]field.Element, 0, rf*t+rp), diag: diag}
	half := rf / 2
	for r, k := range params.RoundKeys {
		if r < half || r >= half+rp {
			if len(k) != t {
				return nil, fmt.Errorf("RoundKeys[%d] has %d keys, want %d (round %d is a full round)", r, len(k), t, r)
			}
			in.keys = append(in.keys, k...)
			continue
		}
		if len(k) != 1 && len(k) != t {
			return nil, fmt.Errorf("RoundKeys[%d] has %d keys, want 1 or %d (round %d is a partial round)", r, len(k), t, r)
		}
		for j := 1; j < len(k); j++ {
			if !k[j].IsZero() {
				return nil, fmt.Errorf("RoundKeys[%d][%d] is not zero: a partial round takes one key (RoundKeys[%d][0])", r, j, r)
			}
		}
		in.keys = append(in.keys, k[0])
	}
	return in, nil
}

// p2SBox sets x to x^3.
func p2SBox(x *field.Element) {
	var x2 field.Element
	x2.Square(x)
	x.Mul(x, &x2)
}

// p2M4 multiplies s[0:4] by Plonky3's M4 = [[2 3 1 1] [1 2 3 1] [1 1 2 3]
// [3 1 1 2]], with its addition chain (Plonky3 poseidon2/src/external.rs).
func p2M4(s []field.Element) {
	var t01, t23, t0123, t01123, t01233 field.Element
	t01.Add(&s[0], &s[1])
	t23.Add(&s[2], &s[3])
	t0123.Add(&t01, &t23)
	t01123.Add(&t0123, &s[1])
	t01233.Add(&t0123, &s[3])
	s[3].Double(&s[0]).Add(&s[3], &t01233) // 3s0 + s1 + s2 + 2s3
	s[1].Double(&s[2]).Add(&s[1], &t01123) // s0 + 2s1 + 3s2 + s3
	s[0].Add(&t01, &t01123)                // 2s0 + 3s1 + s2 + s3
	s[2].Add(&t23, &t01233)                // s0 + s1 + 2s2 + 3s3
}

// external multiplies the state s by M_E = circ(2·M4, M4, …, M4).
func p2External(s []field.Element) {
	for i := 0; i < len(s); i += 4 {
		p2M4(s[i : i+4])
	}
	var sum [4]field.Element
	for i := 0; i < len(s); i += 4 {
		for r := range sum {
			sum[r].Add(&sum[r], &s[i+r])
		}
	}
	for i := 0; i < len(s); i += 4 {
		for r := range sum {
			s[i+r].Add(&s[i+r], &sum[r])
		}
	}
}

// internal multiplies the state s by M_I = 1 + diag(in.diag).
func (in *p2Instance) internal(s []field.Element) {
	sum := s[0]
	for i := 1; i < len(s); i++ {
		sum.Add(&sum, &s[i])
	}
	for i := range s {
		s[i].Mul(&s[i], &in.diag[i]).Add(&s[i], &sum)
	}
}

// full runs one full round on the state s with the round's keys k.
func (in *p2Instance) full(s, k []field.Element) {
	for j := range s {
		s[j].Add(&s[j], &k[j])
		p2SBox(&s[j])
	}
	p2External(s)
}

// permute applies the permutation to one state of in.width elements, in
// place. It is the reference the batched kernel is tested against.
func (in *p2Instance) permute(s []field.Element) {
	t := in.width
	s = s[:t]
	p2External(s)
	k := in.keys
	half := in.rf / 2
	for r := range half {
		in.full(s, k[r*t:])
	}
	k = k[half*t:]
	for r := range in.rp {
		s[0].Add(&s[0], &k[r])
		p2SBox(&s[0])
		in.internal(s)
	}
	k = k[in.rp:]
	for r := range in.rf - half {
		in.full(s, k[r*t:])
	}
}

// p2Lanes reports whether the batched kernel (p2Instance.permuteLanes) is
// faster than the one-state permutation on this machine: where
// field.Vector's arithmetic uses AVX-512. Tests switch it to run both
// paths.
var p2Lanes = cpu.SupportAVX512

// p2Block returns the number of states the batched kernel transforms at
// once for width t. Larger blocks amortise the cost of each vector call;
// beyond these (measured on a Zen 4 core: 512 and 384 states, about 45 KiB
// of columns) the columns no longer stay in the L1 and L2 caches' sweet spot.
func p2Block(t int) int {
	if t <= 16 {
		return 512
	}
	return 384
}

// p2MinLanes is the fewest states worth a run of the batched kernel.
const p2MinLanes = 16

// p2MinChunk is the fewest states a goroutine of a batch gets.
const p2MinChunk = 256

// p2Gnark24 is gnark-crypto's default width-24 instance (NewParameters(24,
// 6, 21)) where gnark-crypto runs its batch routine, Permutation16x24, with
// AVX-512 (16 states at once, faster than the batched kernel here), or nil:
// its Permutation and its flattened round keys, made on first use.
var p2Gnark24 = sync.OnceValue(func() *p2Gnark {
	if !cpu.SupportAVX512 {
		return nil
	}
	in, err := p2Compile(poseidon2.NewParameters(24, 6, 21))
	if err != nil {
		return nil
	}
	return &p2Gnark{poseidon2.NewPermutation(24, 6, 21), in}
})

// p2Gnark is a gnark-crypto Permutation and its parameters.
type p2Gnark struct {
	perm *poseidon2.Permutation
	in   *p2Instance
}

// p2UseGnark24 lets the batches of gnark-crypto's default width-24 instance
// run on its Permutation16x24; tests switch it off to run the other paths.
var p2UseGnark24 = true

// gnark24 returns gnark-crypto's Permutation for in where in's parameters
// are, value for value, those of p2Gnark24, so that its Permutation16x24
// computes in's permutation; nil otherwise.
func (in *p2Instance) gnark24() *poseidon2.Permutation {
	if !p2UseGnark24 || in.width != 24 || in.rf != 6 || in.rp != 21 {
		return nil
	}
	g := p2Gnark24()
	if g == nil || !slices.Equal(in.keys, g.in.keys) {
		return nil
	}
	return g.perm
}

// p2Permute16x24 permutes 16 states of width 24 (len(states) = 384) with
// gnark-crypto's Permutation16x24, which takes them transposed.
func p2Permute16x24(perm *poseidon2.Permutation, states []field.Element, m *[24][16]field.Element) {
	for l := range 16 {
		for j := range 24 {
			m[j][l] = states[l*24+j]
		}
	}
	perm.Permutation16x24(m)
	for l := range 16 {
		for j := range 24 {
			states[l*24+j] = m[j][l]
		}
	}
}

// permuteBatch permutes every width-element chunk of states in place, on up
// to nbTasks goroutines (0: one per CPU).
func (in *p2Instance) permuteBatch(states []field.Element, nbTasks int) {
	t := in.width
	n := len(states) / t
	g24 := in.gnark24()
	parallel.Execute(n, nbTasks, p2MinChunk, func(start, end int) {
		if g24 != nil {
			var m [24][16]field.Element
			for ; start+16 <= end; start += 16 {
				p2Permute16x24(g24, states[start*t:(start+16)*t], &m)
			}
		}
		if !p2Lanes || end-start < p2MinLanes {
			for i := start; i < end; i++ {
				in.permute(states[i*t : (i+1)*t])
			}
			return
		}
		ln := in.newLanes()
		for i := start; i < end; i += len(ln.tmp[0]) {
			m := min(len(ln.tmp[0]), end-i)
			in.permuteLanes(states[i*t:(i+m)*t], ln)
		}
	})
}
