package bn254_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkaccel/zkaccel/internal/p2test"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// TestPermute2BadInput runs the bad-input test of every Poseidon2 front
// end (p2test.BadInput, which also checks the options) with, besides its
// calls, BN254's own: the widths it supports are 2, 3 and multiples of 4,
// and those of 4 and more need DiagM1.
func TestPermute2BadInput(t *testing.T) {
	bad := func(name string, params *poseidon2.Parameters, n int, word string) p2test.BadCall[poseidon2.Parameters] {
		return p2test.BadCall[poseidon2.Parameters]{Name: name, Params: params, Len: n, Word: word}
	}
	seeded := func(t, rf, rp int) *poseidon2.Parameters { return poseidon2.NewParametersWithSeed(t, rf, rp, "bad") }
	p2Edit := func(t, rf, rp int, edit func(p *poseidon2.Parameters)) *poseidon2.Parameters {
		return p2test.BN254.Edit(p2test.Instance{T: t, RF: rf, RP: rp}, edit)
	}
	var one fr.Element
	one.SetOne()
	calls := []p2test.BadCall[poseidon2.Parameters]{
		bad("nil params", nil, 6, "nil parameters"),
		bad("width 0", seeded(0, 8, 56), 6, "width 0"),
		bad("width 1", seeded(1, 8, 56), 6, "width 1"),
		bad("width 5", seeded(5, 8, 56), 10, "width 5"),
		bad("width 6", seeded(6, 8, 56), 12, "width 6"),
		bad("width -4", &poseidon2.Parameters{Width: -4}, 4, "width -4"),
		bad("width 4 without DiagM1", p2Edit(4, 8, 56, func(p *poseidon2.Parameters) { p.DiagM1 = nil }), 8, "DiagM1"),
		bad("width 8 with a short DiagM1", p2Edit(8, 8, 57, func(p *poseidon2.Parameters) { p.DiagM1 = p.DiagM1[:4] }), 8, "DiagM1 of 8"),
		bad("seeded width 4", seeded(4, 8, 56), 8, "DiagM1"),
		bad("negative full rounds", &poseidon2.Parameters{Width: 3, NbFullRounds: -2, NbPartialRounds: 2}, 3, "negative"),
		bad("negative partial rounds", &poseidon2.Parameters{Width: 2, NbFullRounds: 2, NbPartialRounds: -1, RoundKeys: make([][]fr.Element, 1)}, 2, "negative"),
		bad("too few rounds of keys", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys = p.RoundKeys[:63] }), 3, "RoundKeys has 63 rounds"),
		bad("too many rounds of keys", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.NbPartialRounds = 55 }), 3, "RoundKeys has 64 rounds"),
		bad("short full round", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys[0] = p.RoundKeys[0][:2] }), 3, "RoundKeys[0] has 2 keys"),
		bad("long last round", p2Edit(2, 6, 50, func(p *poseidon2.Parameters) { p.RoundKeys[55] = append(p.RoundKeys[55], one) }), 2, "RoundKeys[55] has 3 keys"),
		bad("partial round of 2 keys", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys[4] = append(p.RoundKeys[4], one) }), 3, "RoundKeys[4] has 2 keys"),
		bad("partial round of no key", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys[59] = nil }), 3, "RoundKeys[59] has 0 keys"),
		bad("partial round with a second key", p2Edit(4, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys[10][3] = one }), 4, "RoundKeys[10][3] is not zero"),
		bad("5 elements for width 2", poseidon2.NewParameters(2, 6, 50), 5, "len(states) = 5 is not a multiple of the width 2"),
		bad("4 elements for width 3", poseidon2.NewParameters(3, 8, 56), 4, "len(states) = 4 is not a multiple of the width 3"),
	}
	p2test.BadInput(t, p2test.BN254, bn254.Permute2, calls...)
}
