package conformance

import (
	"fmt"
	"slices"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	p2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	fbb "github.com/consensys/gnark-crypto/field/babybear"
	p2bb "github.com/consensys/gnark-crypto/field/babybear/poseidon2"
	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	p2gl "github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"
	fkb "github.com/consensys/gnark-crypto/field/koalabear"
	p2kb "github.com/consensys/gnark-crypto/field/koalabear/poseidon2"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	posbb "github.com/zkaccel/zkaccel/poseidon/babybear"
	posbn "github.com/zkaccel/zkaccel/poseidon/bn254"
	posgl "github.com/zkaccel/zkaccel/poseidon/goldilocks"
	poskb "github.com/zkaccel/zkaccel/poseidon/koalabear"
)

// The Poseidon2 cases (Op "poseidon2"), for each field and each width
// gnark-crypto's NewPermutation accepts, with its default round counts
// (BN254 t = 2, 3, 4, 8, 12, 16; Goldilocks t = 8, 12; BabyBear and
// KoalaBear t = 16, 24):
//
//   - <field>/t=<t>/n=N: Permute2 of N random states (the first three
//     replaced by an all-zero state, an all-(p−1) state and 0, 1, p−1, …)
//     with poseidon2.NewParameters, on the device, against gnark-crypto's
//     NewPermutation(t, rf, rp).Permutation on a copy, state by state. N = 1
//     and 1000 are in the -short set; the long set adds 2^12 + 1 (BN254) or
//     2^16 + 1 (the other fields).
//   - <field>/t=<t>/seed/n=100: the same with NewParametersWithSeed (BN254:
//     t = 2, 3 only, the widths gnark-crypto allows a seed for).
//   - <field>/t=<t>/nbtasks: 300 states with WithNbTasks(1) and (3).
//
// and the BN254 Merkle trees of gnark-crypto's width-2 compression:
//
//   - bn254/merkle/n=N: MerkleTreePoseidon2 and MerkleRootPoseidon2 of N
//     random leaves with NewParameters(2, 6, 50), on the device, against a
//     tree built one gnark-crypto Compress call at a time on the leaves'
//     canonical bytes (zero-padded to a power of two); the caller's leaves
//     must be left unmodified. N = 1, 2, 3, 1000 in the -short set, 2^12 + 1
//     in the long set; bn254/merkle/seed/n=100 with a seeded instance.
//
// An error names the case's call and the first differing element.

// p2Width is an instance: a width and its default round counts.
type p2Width struct{ t, rf, rp int }

// p2Suite builds the checks of one field: P is its poseidon2.Parameters
// type, E its element.
type p2Suite[P, E any, PE bind.Element[E]] struct {
	field  string
	widths []p2Width
	// seeded reports whether gnark-crypto allows a seed for width t.
	seeded func(t int) bool
	// params returns NewParameters (seed "") or NewParametersWithSeed;
	// perm the matching NewPermutation's Permutation.
	params   func(w p2Width, seed string) *P
	perm     func(w p2Width, seed string) func([]E) error
	permute2 func(params *P, states []E, opts ...poseidon.Option) error
	longN    int
}

func init() {
	registerPoseidon2(&p2Suite[p2bn.Parameters, fr.Element, *fr.Element]{
		field:  "bn254",
		widths: []p2Width{{2, 6, 50}, {3, 8, 56}, {4, 8, 56}, {8, 8, 57}, {12, 8, 57}, {16, 8, 57}},
		seeded: func(t int) bool { return t <= 3 },
		params: func(w p2Width, seed string) *p2bn.Parameters {
			if seed == "" {
				return p2bn.NewParameters(w.t, w.rf, w.rp)
			}
			return p2bn.NewParametersWithSeed(w.t, w.rf, w.rp, seed)
		},
		perm: func(w p2Width, seed string) func([]fr.Element) error {
			if seed == "" {
				return p2bn.NewPermutation(w.t, w.rf, w.rp).Permutation
			}
			return p2bn.NewPermutationWithSeed(w.t, w.rf, w.rp, seed).Permutation
		},
		permute2: posbn.Permute2,
		longN:    1<<12 + 1,
	})
	registerPoseidon2(&p2Suite[p2gl.Parameters, fgl.Element, *fgl.Element]{
		field:  "goldilocks",
		widths: []p2Width{{8, 6, 17}, {12, 6, 17}},
		seeded: func(int) bool { return true },
		params: func(w p2Width, seed string) *p2gl.Parameters {
			if seed == "" {
				return p2gl.NewParameters(w.t, w.rf, w.rp)
			}
			return p2gl.NewParametersWithSeed(w.t, w.rf, w.rp, seed)
		},
		perm: func(w p2Width, seed string) func([]fgl.Element) error {
			if seed == "" {
				return p2gl.NewPermutation(w.t, w.rf, w.rp).Permutation
			}
			return p2gl.NewPermutationWithSeed(w.t, w.rf, w.rp, seed).Permutation
		},
		permute2: posgl.Permute2,
		longN:    1<<16 + 1,
	})
	registerPoseidon2(&p2Suite[p2bb.Parameters, fbb.Element, *fbb.Element]{
		field:  "babybear",
		widths: []p2Width{{16, 8, 13}, {24, 8, 21}},
		seeded: func(int) bool { return true },
		params: func(w p2Width, seed string) *p2bb.Parameters {
			if seed == "" {
				return p2bb.NewParameters(w.t, w.rf, w.rp)
			}
			return p2bb.NewParametersWithSeed(w.t, w.rf, w.rp, seed)
		},
		perm: func(w p2Width, seed string) func([]fbb.Element) error {
			if seed == "" {
				return p2bb.NewPermutation(w.t, w.rf, w.rp).Permutation
			}
			return p2bb.NewPermutationWithSeed(w.t, w.rf, w.rp, seed).Permutation
		},
		permute2: posbb.Permute2,
		longN:    1<<16 + 1,
	})
	registerPoseidon2(&p2Suite[p2kb.Parameters, fkb.Element, *fkb.Element]{
		field:  "koalabear",
		widths: []p2Width{{16, 6, 21}, {24, 6, 21}},
		seeded: func(int) bool { return true },
		params: func(w p2Width, seed string) *p2kb.Parameters {
			if seed == "" {
				return p2kb.NewParameters(w.t, w.rf, w.rp)
			}
			return p2kb.NewParametersWithSeed(w.t, w.rf, w.rp, seed)
		},
		perm: func(w p2Width, seed string) func([]fkb.Element) error {
			if seed == "" {
				return p2kb.NewPermutation(w.t, w.rf, w.rp).Permutation
			}
			return p2kb.NewPermutationWithSeed(w.t, w.rf, w.rp, seed).Permutation
		},
		permute2: poskb.Permute2,
		longN:    1<<16 + 1,
	})
	for _, n := range []int{1, 2, 3, 1000, 1<<12 + 1} {
		register(Case{Op: "poseidon2", Name: fmt.Sprintf("bn254/merkle/n=%d", n), Short: n <= 1000,
			check: func(t *trial) error { return p2Merkle(t, n, "") }})
	}
	register(Case{Op: "poseidon2", Name: "bn254/merkle/seed/n=100", Short: true,
		check: func(t *trial) error { return p2Merkle(t, 100, "conformance") }})
}

func registerPoseidon2[P, E any, PE bind.Element[E]](s *p2Suite[P, E, PE]) {
	for _, w := range s.widths {
		prefix := fmt.Sprintf("%s/t=%d/", s.field, w.t)
		for _, n := range []int{1, 1000, s.longN} {
			register(Case{Op: "poseidon2", Name: prefix + fmt.Sprintf("n=%d", n), Short: n <= 1000,
				check: func(t *trial) error { return s.batch(t, w, "", n, 0) }})
		}
		if s.seeded(w.t) {
			register(Case{Op: "poseidon2", Name: prefix + "seed/n=100", Short: true,
				check: func(t *trial) error { return s.batch(t, w, "conformance", 100, 0) }})
		}
		register(Case{Op: "poseidon2", Name: prefix + "nbtasks", Short: true, check: func(t *trial) error {
			for _, k := range []int{1, 3} {
				if err := s.batch(t, w, "", 300, k); err != nil {
					return err
				}
			}
			return nil
		}})
	}
}

// p2Input draws n states of width t, the first three (where n ≥ 3) replaced
// by an all-zero state, an all-(p−1) state and the state 0, 1, p−1, ….
func p2Input[E any, PE bind.Element[E]](t *trial, width, n int) []E {
	s := inputs.Elements[E, PE](t.rng, n*width)
	var one, minusOne E
	PE(&one).SetOne()
	PE(&minusOne).Neg(&one)
	if n >= 3 {
		for j := range width {
			PE(&s[j]).SetZero()
			s[width+j] = minusOne
			PE(&s[2*width+j]).SetZero()
			switch j % 3 {
			case 1:
				s[2*width+j] = one
			case 2:
				s[2*width+j] = minusOne
			}
		}
	}
	return s
}

// batch runs Permute2 on n random states on t.dev (with WithNbTasks(k)
// unless k is 0) and compares it with gnark-crypto, state by state.
func (s *p2Suite[P, E, PE]) batch(t *trial, w p2Width, seed string, n, k int) error {
	label := fmt.Sprintf("poseidon2 %s t=%d n=%d", s.field, w.t, n)
	if seed != "" {
		label += " seed " + seed
	}
	if k != 0 {
		label += fmt.Sprintf(" WithNbTasks(%d)", k)
	}
	states := p2Input[E, PE](t, w.t, n)
	want := slices.Clone(states)
	perm := s.perm(w, seed)
	for i := 0; i < len(want); i += w.t {
		if err := perm(want[i : i+w.t]); err != nil {
			return fmt.Errorf("%s: gnark-crypto: %w", label, err)
		}
	}
	rep := t.report()
	opts := []poseidon.Option{poseidon.WithDevice(t.dev), poseidon.WithReport(rep)}
	if k != 0 {
		opts = append(opts, poseidon.WithNbTasks(k))
	}
	if err := s.permute2(s.params(w, seed), states, opts...); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if rep.N != n {
		return fmt.Errorf("%s: Report.N = %d", label, rep.N)
	}
	if i := firstDiff(states, want, func(x, y *E) bool { return PE(x).Equal(y) }); i >= 0 {
		return fmt.Errorf("%s: element %d (state %d) differs: got %s, want %s", label, i, i/w.t, PE(&states[i]), PE(&want[i]))
	}
	return nil
}

// p2Merkle builds the tree of n random leaves with MerkleTreePoseidon2 and
// MerkleRootPoseidon2 on t.dev and compares them with a tree built one
// gnark-crypto Compress call at a time.
func p2Merkle(t *trial, n int, seed string) error {
	label := fmt.Sprintf("merkle poseidon2-bn254 n=%d", n)
	params, perm := p2bn.NewParameters(2, 6, 50), p2bn.NewPermutation(2, 6, 50)
	if seed != "" {
		label += " seed " + seed
		params, perm = p2bn.NewParametersWithSeed(2, 6, 50, seed), p2bn.NewPermutationWithSeed(2, 6, 50, seed)
	}
	leaves := inputs.Elements[fr.Element](t.rng, n)
	if n >= 3 {
		leaves[1].SetZero()
		leaves[2].SetOne()
		leaves[2].Neg(&leaves[2])
	}
	orig := slices.Clone(leaves)

	// The reference: the padded leaves, then each level from the one below.
	p := 1
	for p < n {
		p *= 2
	}
	level := make([]fr.Element, p)
	copy(level, leaves)
	want := [][]fr.Element{level}
	for len(level) > 1 {
		next := make([]fr.Element, len(level)/2)
		for i := range next {
			b, err := perm.Compress(level[2*i].Marshal(), level[2*i+1].Marshal())
			if err != nil {
				return fmt.Errorf("%s: gnark-crypto: %w", label, err)
			}
			if err := next[i].SetBytesCanonical(b); err != nil {
				return fmt.Errorf("%s: gnark-crypto: %w", label, err)
			}
		}
		want, level = append(want, next), next
	}

	layers, err := posbn.MerkleTreePoseidon2(params, leaves, poseidon.WithDevice(t.dev), poseidon.WithReport(t.report()))
	if err != nil {
		return fmt.Errorf("%s: MerkleTreePoseidon2: %w", label, err)
	}
	if err := unmodified("leaves", leaves, orig); err != nil {
		return fmt.Errorf("%s: MerkleTreePoseidon2: %w", label, err)
	}
	if len(layers) != len(want) {
		return fmt.Errorf("%s: MerkleTreePoseidon2: %d layers, want %d", label, len(layers), len(want))
	}
	for k := range want {
		if len(layers[k]) != len(want[k]) {
			return fmt.Errorf("%s: MerkleTreePoseidon2: layer %d has %d nodes, want %d", label, k, len(layers[k]), len(want[k]))
		}
		if i := firstDiff(layers[k], want[k], (*fr.Element).Equal); i >= 0 {
			return fmt.Errorf("%s: MerkleTreePoseidon2: layer %d, node %d differs: got %s, want %s", label, k, i, layers[k][i].String(), want[k][i].String())
		}
	}
	root, err := posbn.MerkleRootPoseidon2(params, leaves, poseidon.WithDevice(t.dev), poseidon.WithReport(t.report()))
	if err != nil {
		return fmt.Errorf("%s: MerkleRootPoseidon2: %w", label, err)
	}
	if err := unmodified("leaves", leaves, orig); err != nil {
		return fmt.Errorf("%s: MerkleRootPoseidon2: %w", label, err)
	}
	if wr := &want[len(want)-1][0]; !root.Equal(wr) {
		return fmt.Errorf("%s: MerkleRootPoseidon2: the root differs: got %s, want %s", label, root.String(), wr.String())
	}
	for _, r := range t.reports {
		if r.N != n {
			return fmt.Errorf("%s: Report.N = %d", label, r.N)
		}
	}
	return nil
}
