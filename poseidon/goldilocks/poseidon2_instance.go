package goldilocks

import (
	"errors"
	"fmt"
	"sync"

	field "github.com/consensys/gnark-crypto/field/goldilocks"
	"github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"

	"github.com/zkaccel/zkaccel/internal/parallel"
)

// p2DiagValues are the internal matrices' diagonals minus one, as canonical
// values, per width: Plonky3's Goldilocks Poseidon2 diagonals, as
// gnark-crypto v0.21.0 sets them (field/goldilocks/poseidon2/hash.go,
// diag8 and diag12).
var p2DiagValues = map[int][]uint64{
	8: {
		12216033376705242021, 2072934925475504800, 16432743296706583078, 1287600597097751715,
		10482065724875379356, 3057917794534811537, 4460508886913832365, 4574242228824269566,
	},
	12: {
		14102670999874605824, 15585654191999307702, 940187017142450255, 8747386241522630711,
		6750641561540124747, 7440998025584530007, 6136358134615751536, 12413576830284969611,
		11675438539028694709, 17580553691069642926, 892707462476851331, 15167485180850043744,
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
// out of range instead): a width of 8 or 12, non-negative round counts,
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
		return nil, fmt.Errorf("width %d: the width must be 8 or 12", t)
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

// p2SBox sets x to x^7.
func p2SBox(x *field.Element) {
	var x2, x4 field.Element
	x2.Square(x)
	x4.Square(&x2)
	x.Mul(x, &x2).Mul(x, &x4)
}

// p2M4 multiplies s[0:4] by HorizenLabs' M4 = [[5 7 1 3] [4 6 1 1]
// [1 3 5 7] [1 1 4 6]], with the addition chain of the Poseidon2 paper
// (eprint 2023/323, appendix B).
func p2M4(s []field.Element) {
	var t0, t1, t2, t3, t4, t5 field.Element
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
// place.
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

// p2MinChunk is the fewest states a goroutine of a batch gets.
const p2MinChunk = 64

// permuteBatch permutes every width-element chunk of states in place, on up
// to nbTasks goroutines (0: one per CPU). Goldilocks has no vector
// arithmetic in gnark-crypto, so each state is permuted on its own.
func (in *p2Instance) permuteBatch(states []field.Element, nbTasks int) {
	t := in.width
	parallel.Execute(len(states)/t, nbTasks, p2MinChunk, func(start, end int) {
		for i := start; i < end; i++ {
			in.permute(states[i*t : (i+1)*t])
		}
	})
}
