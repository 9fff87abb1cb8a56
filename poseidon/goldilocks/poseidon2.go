package goldilocks

import (
	"slices"

	field "github.com/consensys/gnark-crypto/field/goldilocks"
	"github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"

	"github.com/zkaccel/zkaccel/internal/poseidon2x"
	"github.com/zkaccel/zkaccel/poseidon"
)

//go:generate go run ../../internal/generator/poseidon2 goldilocks

// Permute2 applies the Poseidon2 permutation that params describes to every
// consecutive params.Width elements of states, in place: chunk i,
// states[i·t : (i+1)·t], becomes exactly what
// poseidon2.NewPermutation(t, rf, rp).Permutation makes of it when params
// is poseidon2.NewParameters(t, rf, rp) (and likewise for
// NewPermutationWithSeed and NewParametersWithSeed). The permutation is
// computed from params' values — Width, NbFullRounds, NbPartialRounds and
// RoundKeys — so parameters with other round keys work too. For width t, rF full and rP partial
// rounds, a state s becomes
//
//	s ← M_E·s
//	⌊rF/2⌋ full rounds:        s_j ← (s_j + k_j)^7 for every j, then s ← M_E·s
//	rP partial rounds:         s_0 ← (s_0 + k)^7,              then s ← M_I·s
//	rF − ⌊rF/2⌋ full rounds:   as the first ones
//
// with the round keys k of RoundKeys in round order, M_E = circ(2·M4, M4,
// …, M4) for HorizenLabs' M4 = [[5 7 1 3] [4 6 1 1] [1 3 5 7] [1 1 4 6]]
// (the Poseidon2 paper's, eprint 2023/323, appendix B), and
// M_I = 1 + diag([Poseidon2DiagM1](t)).
//
// params must be consistent: a width of 8 or 12 (those gnark-crypto
// supports), one RoundKeys entry per round (Width keys for each full round,
// one key — or Width keys all zero but the first — for each partial round).
// len(states) must be a multiple of the width. Otherwise Permute2 returns
// an error and leaves states unmodified. An empty states is no work.
//
// It runs on the device of poseidon.WithDevice, else on zkaccel.Default(),
// and falls back to the CPU where that device lacks the operation; on the
// CPU the states are split over poseidon.WithNbTasks goroutines (by default
// one per CPU). Not constant-time.
//
// Not to be confused with [PermuteHermez]: Polygon Hermez's Goldilocks hash
// is Poseidon, not Poseidon2.
func Permute2(params *poseidon2.Parameters, states []field.Element, opts ...poseidon.Option) error {
	in, err := p2Compile(params)
	if err != nil {
		return p2Front.Fail(err)
	}
	return poseidon2x.Permute(p2Front, in, states, opts)
}

// Poseidon2DiagM1 returns the diagonal of the internal matrix of
// gnark-crypto's Poseidon2 over Goldilocks for width t, minus one: the
// internal layer sets s_i ← d_i·s_i + Σ_j s_j. Permute2 sends it to devices
// as zkaccel.Poseidon2Request.DiagM1. It returns a fresh slice, or nil for
// a width other than 8 and 12.
func Poseidon2DiagM1(t int) []field.Element { return slices.Clone(p2Diag(t)) }
