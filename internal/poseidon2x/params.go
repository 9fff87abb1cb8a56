package poseidon2x

import (
	"errors"
	"fmt"
	"sync"
)

// ErrNilParameters is the error of a nil *poseidon2.Parameters.
var ErrNilParameters = errors.New("nil parameters")

// Flatten checks the round structure of a poseidon2.Parameters value of
// width t — non-negative round counts rf (full) and rp (partial), one
// roundKeys entry per round, t keys for a full round and, for a partial
// round, one key or t keys of which all but the first are zero — and
// returns its round keys flattened in round order: rf·t + rp keys, exactly
// as a device receives them in zkaccel.Poseidon2Request.RoundKeys. The
// first ⌊rf/2⌋ rounds are full, then come the rp partial rounds, then the
// other full rounds. These are the checks gnark-crypto's Permutation relies
// on without making them (it panics or reads out of range instead, and adds
// every key of a partial round's entry); the width is the caller's to check.
func Flatten[E comparable](t, rf, rp int, roundKeys [][]E) ([]E, error) {
	if rf < 0 || rp < 0 {
		return nil, fmt.Errorf("negative round count (NbFullRounds %d, NbPartialRounds %d)", rf, rp)
	}
	if len(roundKeys) != rf+rp {
		return nil, fmt.Errorf("RoundKeys has %d rounds, want NbFullRounds + NbPartialRounds = %d", len(roundKeys), rf+rp)
	}
	keys := make([]E, rf*t+rp)
	o, half := 0, rf/2
	var zero E // gnark-crypto's IsZero: every limb zero
	for r, k := range roundKeys {
		if r < half || r >= half+rp {
			if len(k) != t {
				return nil, fmt.Errorf("RoundKeys[%d] has %d keys, want %d (round %d is a full round)", r, len(k), t, r)
			}
			o += copy(keys[o:], k)
			continue
		}
		if len(k) != 1 && len(k) != t {
			return nil, fmt.Errorf("RoundKeys[%d] has %d keys, want 1 or %d (round %d is a partial round)", r, len(k), t, r)
		}
		for j := 1; j < len(k); j++ {
			if k[j] != zero {
				return nil, fmt.Errorf("RoundKeys[%d][%d] is not zero: a partial round takes one key (RoundKeys[%d][0])", r, j, r)
			}
		}
		keys[o] = k[0]
		o++
	}
	return keys, nil
}

// Diagonals returns the lookup of a field's internal-matrix diagonals
// minus one by width, made on first use from values, their canonical
// values per width, with set (the element type's SetUint64). The slices it
// returns are shared by every call: callers must not modify them. For a
// width values lacks it returns nil.
func Diagonals[E any](values map[int][]uint64, set func(z *E, v uint64) *E) func(t int) []E {
	tables := sync.OnceValue(func() map[int][]E {
		m := make(map[int][]E, len(values))
		for t, vs := range values {
			d := make([]E, len(vs))
			for i, v := range vs {
				set(&d[i], v)
			}
			m[t] = d
		}
		return m
	})
	return func(t int) []E { return tables()[t] }
}
