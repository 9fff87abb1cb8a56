package bn254

import (
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkaccel/zkaccel/internal/poseidon2x"
	"github.com/zkaccel/zkaccel/poseidon"
)

//go:generate go run ../../internal/generator/poseidon2 bn254

// Permute2 applies the Poseidon2 permutation that params describes to every
// consecutive params.Width elements of states, in place: chunk i,
// states[i·t : (i+1)·t], becomes exactly what
// poseidon2.NewPermutation(t, rf, rp).Permutation makes of it when params
// is poseidon2.NewParameters(t, rf, rp) (and likewise for
// NewPermutationWithSeed and NewParametersWithSeed). The permutation is
// computed from params' values alone — Width, NbFullRounds,
// NbPartialRounds, RoundKeys and, for widths ≥ 4, DiagM1 — so parameters
// built by hand (e.g. HorizenLabs' round constants) work too. For width t,
// rF full and rP partial rounds, a state s becomes
//
//	s ← M_E·s
//	⌊rF/2⌋ full rounds:        s_j ← (s_j + k_j)^5 for every j, then s ← M_E·s
//	rP partial rounds:         s_0 ← (s_0 + k)^5,              then s ← M_I·s
//	rF − ⌊rF/2⌋ full rounds:   as the first ones
//
// with the round keys k of RoundKeys in round order. The external matrix
// M_E is circ(2, 1) for t = 2, circ(2, 1, 1) for t = 3, M4 for t = 4 and
// circ(2·M4, M4, …, M4) for t = 4k, k ≥ 2, with HorizenLabs' M4 = [[5 7 1 3]
// [4 6 1 1] [1 3 5 7] [1 1 4 6]]; the internal matrix M_I is [[2 1] [1 3]]
// for t = 2, [[2 1 1] [1 2 1] [1 1 3]] for t = 3 and 1 + diag(DiagM1) for
// t ≥ 4.
//
// params must be consistent: a width of 2, 3 or a multiple of 4, one
// RoundKeys entry per round (Width keys for each of the NbFullRounds full
// rounds, and for each partial round one key, or Width keys all zero but
// the first, as gnark-crypto's HorizenLabs constants have them), and DiagM1
// of Width elements for widths ≥ 4 (ignored for widths 2 and 3, as
// gnark-crypto ignores it); len(states) must be a multiple of the width.
// Otherwise Permute2 returns an error and leaves states unmodified. An
// empty states is no work.
//
// It runs on the device of poseidon.WithDevice, else on zkaccel.Default(),
// and falls back to the CPU where that device lacks the operation; on the
// CPU the states are split over poseidon.WithNbTasks goroutines (by default
// one per CPU) and, on processors with AVX-512 IFMA, permuted dozens at a
// time with gnark-crypto's vector arithmetic. Not constant-time.
func Permute2(params *poseidon2.Parameters, states []fr.Element, opts ...poseidon.Option) error {
	in, err := p2Compile(params)
	if err != nil {
		return p2Front.Fail(err)
	}
	return poseidon2x.Permute(p2Front, in, states, opts)
}
