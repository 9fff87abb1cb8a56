package bn254

import (
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark-crypto/utils/cpu"

	"github.com/zkaccel/zkaccel/internal/parallel"
)

// Poseidon2 over BN254's Fr as gnark-crypto's poseidon2 package defines it
// (ecc/bn254/fr/poseidon2, v0.21.0), computed from the values of a
// poseidon2.Parameters (see Permute2 for the round structure and the
// matrices); the code is ours: the one-state permutation here, the batched
// kernel in poseidon2_lanes.go.

// p2Instance is a poseidon2.Parameters value, checked and laid out for the
// permutation: the round keys flattened in round order, exactly as a device
// receives them in zkaccel.Poseidon2Request.RoundKeys.
type p2Instance struct {
	width  int
	rf, rp int          // full and partial rounds
	keys   []fr.Element // rf·width + rp round keys, round after round
	diag   []fr.Element // DiagM1 for width ≥ 4, nil for widths 2 and 3
}

// p2Compile checks params and flattens its round keys. The checks are what
// gnark-crypto's Permutation relies on without checking (it panics or reads
// out of range instead): a width of 2, 3 or a multiple of 4, non-negative
// round counts, one RoundKeys entry per round with width keys for a full
// round and, for a partial round, one key or width keys of which all but the
// first are zero (gnark-crypto's HorizenLabs constants for t ≥ 4 come in
// that form, and its Permutation adds every key of the entry), and DiagM1
// of width elements for widths ≥ 4. DiagM1 is ignored for widths 2 and 3, as gnark-crypto
// ignores it.
func p2Compile(params *poseidon2.Parameters) (*p2Instance, error) {
	if params == nil {
		return nil, errors.New("nil parameters")
	}
	t, rf, rp := params.Width, params.NbFullRounds, params.NbPartialRounds
	switch {
	case t == 2 || t == 3:
	case t >= 4 && t%4 == 0:
		if len(params.DiagM1) != t {
			return nil, fmt.Errorf("width %d needs DiagM1 of %d elements, have %d", t, t, len(params.DiagM1))
		}
	default:
		return nil, fmt.Errorf("width %d: the width must be 2, 3 or a multiple of 4", t)
	}
	if rf < 0 || rp < 0 {
		return nil, fmt.Errorf("negative round count (NbFullRounds %d, NbPartialRounds %d)", rf, rp)
	}
	if len(params.RoundKeys) != rf+rp {
		return nil, fmt.Errorf("RoundKeys has %d rounds, want NbFullRounds + NbPartialRounds = %d", len(params.RoundKeys), rf+rp)
	}
	in := &p2Instance{width: t, rf: rf, rp: rp, keys: make([]fr.Element, 0, rf*t+rp)}
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
	if t >= 4 {
		in.diag = append([]fr.Element(nil), params.DiagM1...)
	}
	return in, nil
}

// p2SBox sets x to x^5.
func p2SBox(x *fr.Element) {
	var t fr.Element
	t.Square(x)
	t.Square(&t)
	x.Mul(x, &t)
}

// p2M4 multiplies s[0:4] by M4, with the addition chain of the Poseidon2
// paper (eprint 2023/323, appendix B).
func p2M4(s []fr.Element) {
	var t0, t1, t2, t3, t4, t5 fr.Element
	t0.Add(&s[0], &s[1])
	t1.Add(&s[2], &s[3])
	t2.Double(&s[1]).Add(&t2, &t1) // 2s1 + t1
	t3.Double(&s[3]).Add(&t3, &t0) // 2s3 + t0
	t4.Double(&t1).Double(&t4).Add(&t4, &t3)
	t5.Double(&t0).Double(&t5).Add(&t5, &t2)
	s[0].Add(&t3, &t5)
	s[1] = t5
	s[2].Add(&t2, &t4)
	s[3] = t4
}

// external multiplies the state s by M_E.
func (in *p2Instance) external(s []fr.Element) {
	switch len(s) {
	case 2:
		var sum fr.Element
		sum.Add(&s[0], &s[1])
		s[0].Add(&s[0], &sum)
		s[1].Add(&s[1], &sum)
	case 3:
		var sum fr.Element
		sum.Add(&s[0], &s[1]).Add(&sum, &s[2])
		s[0].Add(&s[0], &sum)
		s[1].Add(&s[1], &sum)
		s[2].Add(&s[2], &sum)
	case 4:
		p2M4(s)
	default:
		for i := 0; i < len(s); i += 4 {
			p2M4(s[i : i+4])
		}
		var sum [4]fr.Element
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
}

// internal multiplies the state s by M_I.
func (in *p2Instance) internal(s []fr.Element) {
	var sum fr.Element
	switch len(s) {
	case 2:
		sum.Add(&s[0], &s[1])
		s[0].Add(&s[0], &sum)
		s[1].Double(&s[1]).Add(&s[1], &sum)
	case 3:
		sum.Add(&s[0], &s[1]).Add(&sum, &s[2])
		s[0].Add(&s[0], &sum)
		s[1].Add(&s[1], &sum)
		s[2].Double(&s[2]).Add(&s[2], &sum)
	default:
		sum = s[0]
		for i := 1; i < len(s); i++ {
			sum.Add(&sum, &s[i])
		}
		for i := range s {
			s[i].Mul(&s[i], &in.diag[i]).Add(&s[i], &sum)
		}
	}
}

// full runs one full round on the state s with the round's keys k.
func (in *p2Instance) full(s, k []fr.Element) {
	for j := range s {
		s[j].Add(&s[j], &k[j])
		p2SBox(&s[j])
	}
	in.external(s)
}

// permute applies the permutation to one state of in.width elements, in
// place. It is the reference the batched kernel is tested against.
func (in *p2Instance) permute(s []fr.Element) {
	t := in.width
	s = s[:t]
	in.external(s)
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
// faster than the one-state permutation on this machine: where fr.Vector's
// multiplications use AVX-512 IFMA. Tests switch it to run both paths.
var p2Lanes = cpu.SupportAVX512IFMA

// p2Block returns the number of states the batched kernel transforms at
// once for width t: its columns and temporaries then take 14 to 23 KiB,
// inside a core's L1 data cache. (Measured on a Zen 4 core, blocks of 16 to
// 128 states run within a few per cent of each other.)
func p2Block(t int) int {
	if t <= 4 {
		return 64
	}
	return 32
}

// p2MinLanes is the fewest states worth a run of the batched kernel.
const p2MinLanes = 8

// p2MinChunk is the fewest states a goroutine of a batch gets: a BN254
// permutation takes microseconds, so a few dozen outweigh a goroutine.
const p2MinChunk = 16

// permuteBatch permutes every width-element chunk of states in place, on up
// to nbTasks goroutines (0: one per CPU).
func (in *p2Instance) permuteBatch(states []fr.Element, nbTasks int) {
	t := in.width
	n := len(states) / t
	parallel.Execute(n, nbTasks, p2MinChunk, func(start, end int) {
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
