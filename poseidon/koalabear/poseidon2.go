package koalabear

import (
	"slices"

	field "github.com/consensys/gnark-crypto/field/koalabear"
	"github.com/consensys/gnark-crypto/field/koalabear/poseidon2"

	"github.com/zkaccel/zkaccel/internal/poseidon2x"
	"github.com/zkaccel/zkaccel/poseidon"
)

//go:generate go run ../../internal/generator/poseidon2 koalabear

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
//	⌊rF/2⌋ full rounds:        s_j ← (s_j + k_j)^3 for every j, then s ← M_E·s
//	rP partial rounds:         s_0 ← (s_0 + k)^3,              then s ← M_I·s
//	rF − ⌊rF/2⌋ full rounds:   as the first ones
//
// with the round keys k of RoundKeys in round order, M_E = circ(2·M4, M4,
// …, M4) for Plonky3's M4 = [[2 3 1 1] [1 2 3 1] [1 1 2 3] [3 1 1 2]], and
// M_I = 1 + diag([Poseidon2DiagM1](t)).
//
// params must be consistent: a width of 16 or 24 (those gnark-crypto
// supports), one RoundKeys entry per round (Width keys for each full round,
// one key — or Width keys all zero but the first — for each partial round).
// len(states) must be a multiple of the width. Otherwise Permute2 returns
// an error and leaves states unmodified. An empty states is no work.
//
// It runs on the device of poseidon.WithDevice, else on zkaccel.Default(),
// and falls back to the CPU where that device lacks the operation; on the
// CPU the states are split over poseidon.WithNbTasks goroutines (by default
// one per CPU) and, on processors with AVX-512, permuted hundreds at a time
// with gnark-crypto's vector arithmetic — or, for gnark-crypto's default
// width-24 instance (these exact parameter values), 16 at a time with its
// Permutation16x24. Not constant-time.
func Permute2(params *poseidon2.Parameters, states []field.Element, opts ...poseidon.Option) error {
	in, err := p2Compile(params)
	if err != nil {
		return p2Front.Fail(err)
	}
	return poseidon2x.Permute(p2Front, in, states, opts)
}

// Poseidon2DiagM1 returns the diagonal of the internal matrix of
// gnark-crypto's Poseidon2 over KoalaBear for width t, minus one: the
// internal layer sets s_i ← d_i·s_i + Σ_j s_j. Permute2 sends it to devices
// as zkaccel.Poseidon2Request.DiagM1. It returns a fresh slice, or nil for
// a width other than 16 and 24.
func Poseidon2DiagM1(t int) []field.Element { return slices.Clone(p2Diag(t)) }
