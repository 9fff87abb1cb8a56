// Package p2test holds the tests that every Poseidon2 front-end package
// (poseidon/bn254, goldilocks, babybear and koalabear) runs, written once:
// Permute2 against gnark-crypto on every device ([Permute2], [NbTasks],
// [Fallback]), the known-answer files ([KnownAnswers]), bad inputs and
// faulty devices ([BadInput], [DeviceFaults]), the CPU kernels ([Kernels],
// [Gnark24]), fuzzing ([Fuzz]) and benchmarks ([Bench]). One [Field] value
// per field binds gnark-crypto's poseidon2 package and says which instances
// and sizes the tests use; the per-package test files name their field and
// their front end's functions.
package p2test

import (
	"fmt"
	"math/big"

	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	p2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	fbb "github.com/consensys/gnark-crypto/field/babybear"
	p2bb "github.com/consensys/gnark-crypto/field/babybear/poseidon2"
	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	p2gl "github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"
	fkb "github.com/consensys/gnark-crypto/field/koalabear"
	p2kb "github.com/consensys/gnark-crypto/field/koalabear/poseidon2"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/poseidon"
)

// element is the constraint on a gnark-crypto field element type that the
// tests need.
type element[E any] interface {
	bind.Element[E]
	SetBigInt(v *big.Int) *E
	BigInt(res *big.Int) *big.Int
}

// Instance is one of gnark-crypto's Poseidon2 instances over a field: a
// width, round counts, and a seed for NewParametersWithSeed ("":
// NewParameters).
type Instance struct {
	T, RF, RP int
	Seed      string
}

// String is "t=16/rf=8/rp=13", with "/seed=…" for a seeded instance.
func (w Instance) String() string {
	s := fmt.Sprintf("t=%d/rf=%d/rp=%d", w.T, w.RF, w.RP)
	if w.Seed != "" {
		s += "/seed=" + w.Seed
	}
	return s
}

// View points at the fields of a poseidon2.Parameters value.
type View[E any] struct {
	Width, NbFullRounds, NbPartialRounds *int
	RoundKeys                            *[][]E
	DiagM1                               *[]E // nil where the type has no DiagM1
}

// Front is a field package's Permute2.
type Front[P, E any] func(params *P, states []E, opts ...poseidon.Option) error

// Field binds one field's gnark-crypto poseidon2 package — P is its
// Parameters, Perm its Permutation, E the field's element — and holds what
// the tests run on it.
type Field[P, Perm, E any] struct {
	// Name is the package's name: the operation is "poseidon2 <Name>", the
	// known answers are in testdata/poseidon/poseidon2_<Name>.txt and the
	// benchmarks are named BenchmarkPermute2/<Name>/….
	Name string

	// gnark-crypto's functions.
	NewParameters          func(t, rf, rp int) *P
	NewParametersWithSeed  func(t, rf, rp int, seed string) *P
	NewPermutation         func(t, rf, rp int) *Perm
	NewPermutationWithSeed func(t, rf, rp int, seed string) *Perm
	Permutation            func(perm *Perm, s []E) error
	Permutation16x24       func(perm *Perm, m *[24][16]E) // nil where gnark-crypto has none
	View                   func(p *P) View[E]

	// Widths are the widths gnark-crypto's NewPermutation accepts;
	// Defaults, one per width, its default instances (the benchmarks').
	Widths   []int
	Defaults []Instance
	// Instances are those Permute2 is tested on; Kernel those the CPU
	// kernels are.
	Instances, Kernel []Instance
	// Main is the instance of the single-instance tests (NbTasks, faults,
	// bad inputs), with NbTasksStates states in TestPermute2NbTasks; Tables
	// one whose DiagM1 comes from a table shared between calls.
	Main, Tables  Instance
	NbTasksStates int
	// Sizes are the batch sizes of TestPermute2 (ShortSizes with -short),
	// around the CPU kernels' block sizes.
	Sizes, ShortSizes []int
	BadWidths         []int    // widths Permute2 must reject
	MinKATs           int      // the fewest instances the known-answer file may have
	Gnark24           Instance // the instance gnark-crypto runs with Permutation16x24, if any
}

// Op is the operation's name in errors and reports.
func (f *Field[P, Perm, E]) Op() string { return "poseidon2 " + f.Name }

// Params returns gnark-crypto's parameters of w.
func (f *Field[P, Perm, E]) Params(w Instance) *P {
	if w.Seed != "" {
		return f.NewParametersWithSeed(w.T, w.RF, w.RP, w.Seed)
	}
	return f.NewParameters(w.T, w.RF, w.RP)
}

// Perm returns gnark-crypto's permutation of w.
func (f *Field[P, Perm, E]) Perm(w Instance) *Perm {
	if w.Seed != "" {
		return f.NewPermutationWithSeed(w.T, w.RF, w.RP, w.Seed)
	}
	return f.NewPermutation(w.T, w.RF, w.RP)
}

// Edit returns a deep copy of gnark-crypto's parameters of w after edit.
func (f *Field[P, Perm, E]) Edit(w Instance, edit func(p *P)) *P {
	p := new(P)
	*p = *f.Params(w)
	v := f.View(p)
	*v.RoundKeys = append([][]E(nil), *v.RoundKeys...)
	for i := range *v.RoundKeys {
		(*v.RoundKeys)[i] = append([]E(nil), (*v.RoundKeys)[i]...)
	}
	if v.DiagM1 != nil {
		*v.DiagM1 = append([]E(nil), *v.DiagM1...)
	}
	edit(p)
	return p
}

// Make returns parameters with the values given.
func (f *Field[P, Perm, E]) Make(t, rf, rp int, keys [][]E) *P {
	p := new(P)
	v := f.View(p)
	*v.Width, *v.NbFullRounds, *v.NbPartialRounds, *v.RoundKeys = t, rf, rp, keys
	return p
}

// standard returns, for every width of defaults (its default instance and
// another one, as gnark-crypto's tests have them), those two, a seeded
// instance and one with an odd number of full rounds (the first ⌊rF/2⌋
// come before the partial rounds).
func standard(widths []int, defaults map[int][2]Instance) []Instance {
	var out []Instance
	for _, t := range widths {
		d := defaults[t]
		out = append(out, d[0], d[1], Instance{t, d[0].RF, d[0].RP, "zkaccel"}, Instance{t, 3, 5, "odd"})
	}
	return out
}

// The four fields of zkaccel's Poseidon2 front ends.
var (
	BN254 = &Field[p2bn.Parameters, p2bn.Permutation, frbn.Element]{
		Name:          "bn254",
		NewParameters: p2bn.NewParameters, NewParametersWithSeed: p2bn.NewParametersWithSeed,
		NewPermutation: p2bn.NewPermutation, NewPermutationWithSeed: p2bn.NewPermutationWithSeed,
		Permutation: (*p2bn.Permutation).Permutation,
		View: func(p *p2bn.Parameters) View[frbn.Element] {
			return View[frbn.Element]{&p.Width, &p.NbFullRounds, &p.NbPartialRounds, &p.RoundKeys, &p.DiagM1}
		},
		// Every width gnark-crypto supports (NewPermutation panics for the
		// others) with its default round counts, and the seeded variants
		// it allows (t = 2, 3).
		Widths:    []int{2, 3, 4, 8, 12, 16},
		Defaults:  bn254Defaults,
		Instances: append(bn254Defaults[:6:6], Instance{2, 6, 50, "zkaccel"}, Instance{3, 8, 56, "another seed"}, Instance{3, 4, 3, "short"}),
		Kernel:    append(bn254Defaults[:6:6], Instance{3, 5, 4, "odd"}),
		Main:      Instance{3, 8, 56, ""}, Tables: Instance{12, 8, 57, ""}, NbTasksStates: 200,
		Sizes: []int{0, 1, 2, 3, 7, 8, 9, 33, 64, 65, 130}, ShortSizes: []int{0, 1, 3, 9, 65},
		BadWidths: []int{1, 5, 6}, MinKATs: 9,
	}
	Goldilocks = &Field[p2gl.Parameters, p2gl.Permutation, fgl.Element]{
		Name:          "goldilocks",
		NewParameters: p2gl.NewParameters, NewParametersWithSeed: p2gl.NewParametersWithSeed,
		NewPermutation: p2gl.NewPermutation, NewPermutationWithSeed: p2gl.NewPermutationWithSeed,
		Permutation: (*p2gl.Permutation).Permutation,
		View: func(p *p2gl.Parameters) View[fgl.Element] {
			return View[fgl.Element]{&p.Width, &p.NbFullRounds, &p.NbPartialRounds, &p.RoundKeys, nil}
		},
		Widths:    []int{8, 12},
		Defaults:  []Instance{{8, 6, 17, ""}, {12, 6, 17, ""}},
		Instances: standard([]int{8, 12}, map[int][2]Instance{8: {{8, 6, 17, ""}, {8, 8, 22, ""}}, 12: {{12, 6, 17, ""}, {12, 8, 22, ""}}}),
		Kernel:    []Instance{{8, 6, 17, ""}, {12, 6, 17, ""}, {8, 3, 5, "odd"}, {12, 8, 22, "seeded"}},
		Main:      Instance{8, 6, 17, ""}, Tables: Instance{8, 6, 17, ""}, NbTasksStates: 1000,
		Sizes: []int{0, 1, 2, 3, 7, 64, 65, 200}, ShortSizes: []int{0, 1, 3, 65},
		BadWidths: []int{4, 3, 32}, MinKATs: 2,
	}
	BabyBear = &Field[p2bb.Parameters, p2bb.Permutation, fbb.Element]{
		Name:          "babybear",
		NewParameters: p2bb.NewParameters, NewParametersWithSeed: p2bb.NewParametersWithSeed,
		NewPermutation: p2bb.NewPermutation, NewPermutationWithSeed: p2bb.NewPermutationWithSeed,
		Permutation: (*p2bb.Permutation).Permutation, Permutation16x24: (*p2bb.Permutation).Permutation16x24,
		View: func(p *p2bb.Parameters) View[fbb.Element] {
			return View[fbb.Element]{&p.Width, &p.NbFullRounds, &p.NbPartialRounds, &p.RoundKeys, nil}
		},
		Widths:    []int{16, 24},
		Defaults:  []Instance{{16, 8, 13, ""}, {24, 8, 21, ""}},
		Instances: standard([]int{16, 24}, map[int][2]Instance{16: {{16, 8, 13, ""}, {16, 6, 12, ""}}, 24: {{24, 8, 21, ""}, {24, 6, 19, ""}}}),
		Kernel:    []Instance{{16, 8, 13, ""}, {24, 8, 21, ""}, {16, 3, 5, "odd"}, {24, 6, 19, "seeded"}},
		Main:      Instance{16, 8, 13, ""}, Tables: Instance{16, 8, 13, ""}, NbTasksStates: 1000,
		Sizes: []int{0, 1, 2, 3, 15, 16, 17, 100, 511, 512, 513, 1100}, ShortSizes: []int{0, 1, 3, 17, 300},
		BadWidths: []int{4, 3, 32}, MinKATs: 2, Gnark24: Instance{24, 8, 21, ""},
	}
	KoalaBear = &Field[p2kb.Parameters, p2kb.Permutation, fkb.Element]{
		Name:          "koalabear",
		NewParameters: p2kb.NewParameters, NewParametersWithSeed: p2kb.NewParametersWithSeed,
		NewPermutation: p2kb.NewPermutation, NewPermutationWithSeed: p2kb.NewPermutationWithSeed,
		Permutation: (*p2kb.Permutation).Permutation, Permutation16x24: (*p2kb.Permutation).Permutation16x24,
		View: func(p *p2kb.Parameters) View[fkb.Element] {
			return View[fkb.Element]{&p.Width, &p.NbFullRounds, &p.NbPartialRounds, &p.RoundKeys, nil}
		},
		Widths:    []int{16, 24},
		Defaults:  []Instance{{16, 6, 21, ""}, {24, 6, 21, ""}},
		Instances: standard([]int{16, 24}, map[int][2]Instance{16: {{16, 6, 21, ""}, {16, 8, 13, ""}}, 24: {{24, 6, 21, ""}, {24, 8, 19, ""}}}),
		Kernel:    []Instance{{16, 6, 21, ""}, {24, 6, 21, ""}, {16, 3, 5, "odd"}, {24, 6, 19, "seeded"}},
		Main:      Instance{16, 6, 21, ""}, Tables: Instance{16, 6, 21, ""}, NbTasksStates: 1000,
		Sizes: []int{0, 1, 2, 3, 15, 16, 17, 100, 511, 512, 513, 1100}, ShortSizes: []int{0, 1, 3, 17, 300},
		BadWidths: []int{4, 3, 32}, MinKATs: 2, Gnark24: Instance{24, 6, 21, ""},
	}
)

// bn254Defaults are gnark-crypto's BN254 instances: each width with its
// default round counts.
var bn254Defaults = []Instance{{2, 6, 50, ""}, {3, 8, 56, ""}, {4, 8, 56, ""}, {8, 8, 57, ""}, {12, 8, 57, ""}, {16, 8, 57, ""}}
