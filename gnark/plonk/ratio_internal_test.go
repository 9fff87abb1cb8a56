package plonk

import (
	"fmt"
	"math/rand/v2"
	"testing"

	frbls12377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	fftbls12377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr/fft"
	iopbls12377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr/iop"
	frbls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	fftbls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr/fft"
	iopbls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr/iop"
	frbn254 "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	fftbn254 "github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	iopbn254 "github.com/consensys/gnark-crypto/ecc/bn254/fr/iop"
)

// ratioCase builds, for a domain of n elements, random wires, challenges
// and a permutation (the identity when ident is set), and returns the
// ratio computed in blocks of a given size, in the default blocks, and by
// gnark-crypto's iop.BuildRatioCopyConstraint.
type ratioCase[E any] func(n int, ident bool, rng *rand.Rand) (blocks func(block int) []E, def, want []E)

// ratioCheck compares a curve's ratioBlocks and ratioZ with gnark-crypto's
// BuildRatioCopyConstraint, element for element, on domains of 2 to 2^12
// elements, random and identity permutations, and blocks of 1 to beyond
// the domain.
func ratioCheck[E comparable](t *testing.T, run ratioCase[E]) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{2, 4, 8, 64, 1 << 12} {
		for _, ident := range []bool{false, true} {
			blocks, def, want := run(n, ident, rng)
			check := func(name string, got []E) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("n = %d, %s: %d values, want %d", n, name, len(got), len(want))
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("n = %d, identity %v, %s: Z(ω^%d) differs from gnark-crypto's", n, ident, name, i)
					}
				}
			}
			for _, b := range []int{0, 1, 2, 3, 7, n - 1, n, n + 5} {
				check(fmt.Sprintf("blocks of %d", b), blocks(b))
			}
			check("default blocks", def)
		}
	}
}

// perm3 is a permutation of [0, 3n): random, or the identity.
func perm3(n int, ident bool, rng *rand.Rand) []int64 {
	p := make([]int64, 3*n)
	for i, v := range rng.Perm(3 * n) {
		p[i] = int64(v)
		if ident {
			p[i] = int64(i)
		}
	}
	return p
}

// TestRatioBlocks checks the copy constraint's ratio Z, computed in blocks
// that run at once, against gnark-crypto's, on each curve's scalar field.
func TestRatioBlocks(t *testing.T) {
	t.Run("bn254", func(t *testing.T) {
		ratioCheck(t, func(n int, ident bool, rng *rand.Rand) (func(int) []frbn254.Element, []frbn254.Element, []frbn254.Element) {
			tr := &traceBN254{domain0: fftbn254.NewDomain(uint64(n)), perm: perm3(n, ident, rng), omega0: make([]frbn254.Element, n)}
			fftbn254.BuildExpTable(tr.domain0.Generator, tr.omega0)
			sigmaBN254(tr)
			var lro [3][]frbn254.Element
			entries := make([]*iopbn254.Polynomial, 3)
			form := iopbn254.Form{Basis: iopbn254.Lagrange, Layout: iopbn254.Regular}
			for j := range lro {
				lro[j] = make([]frbn254.Element, n)
				for i := range lro[j] {
					lro[j][i].SetRandom()
				}
				v := append([]frbn254.Element(nil), lro[j]...)
				entries[j] = iopbn254.NewPolynomial(&v, form)
			}
			var beta, gamma frbn254.Element
			beta.SetRandom()
			gamma.SetRandom()
			z, err := iopbn254.BuildRatioCopyConstraint(entries, tr.perm, beta, gamma, form, tr.domain0)
			if err != nil {
				t.Fatal(err)
			}
			return func(b int) []frbn254.Element { return ratioBlocksBN254(tr, lro, beta, gamma, b) },
				ratioZBN254(tr, lro, beta, gamma), z.Coefficients()
		})
	})
	t.Run("bls12-381", func(t *testing.T) {
		ratioCheck(t, func(n int, ident bool, rng *rand.Rand) (func(int) []frbls12381.Element, []frbls12381.Element, []frbls12381.Element) {
			tr := &traceBLS12381{domain0: fftbls12381.NewDomain(uint64(n)), perm: perm3(n, ident, rng), omega0: make([]frbls12381.Element, n)}
			fftbls12381.BuildExpTable(tr.domain0.Generator, tr.omega0)
			sigmaBLS12381(tr)
			var lro [3][]frbls12381.Element
			entries := make([]*iopbls12381.Polynomial, 3)
			form := iopbls12381.Form{Basis: iopbls12381.Lagrange, Layout: iopbls12381.Regular}
			for j := range lro {
				lro[j] = make([]frbls12381.Element, n)
				for i := range lro[j] {
					lro[j][i].SetRandom()
				}
				v := append([]frbls12381.Element(nil), lro[j]...)
				entries[j] = iopbls12381.NewPolynomial(&v, form)
			}
			var beta, gamma frbls12381.Element
			beta.SetRandom()
			gamma.SetRandom()
			z, err := iopbls12381.BuildRatioCopyConstraint(entries, tr.perm, beta, gamma, form, tr.domain0)
			if err != nil {
				t.Fatal(err)
			}
			return func(b int) []frbls12381.Element { return ratioBlocksBLS12381(tr, lro, beta, gamma, b) },
				ratioZBLS12381(tr, lro, beta, gamma), z.Coefficients()
		})
	})
	t.Run("bls12-377", func(t *testing.T) {
		ratioCheck(t, func(n int, ident bool, rng *rand.Rand) (func(int) []frbls12377.Element, []frbls12377.Element, []frbls12377.Element) {
			tr := &traceBLS12377{domain0: fftbls12377.NewDomain(uint64(n)), perm: perm3(n, ident, rng), omega0: make([]frbls12377.Element, n)}
			fftbls12377.BuildExpTable(tr.domain0.Generator, tr.omega0)
			sigmaBLS12377(tr)
			var lro [3][]frbls12377.Element
			entries := make([]*iopbls12377.Polynomial, 3)
			form := iopbls12377.Form{Basis: iopbls12377.Lagrange, Layout: iopbls12377.Regular}
			for j := range lro {
				lro[j] = make([]frbls12377.Element, n)
				for i := range lro[j] {
					lro[j][i].SetRandom()
				}
				v := append([]frbls12377.Element(nil), lro[j]...)
				entries[j] = iopbls12377.NewPolynomial(&v, form)
			}
			var beta, gamma frbls12377.Element
			beta.SetRandom()
			gamma.SetRandom()
			z, err := iopbls12377.BuildRatioCopyConstraint(entries, tr.perm, beta, gamma, form, tr.domain0)
			if err != nil {
				t.Fatal(err)
			}
			return func(b int) []frbls12377.Element { return ratioBlocksBLS12377(tr, lro, beta, gamma, b) },
				ratioZBLS12377(tr, lro, beta, gamma), z.Coefficients()
		})
	})
}

// BenchmarkRatio times the copy constraint's ratio at 2^20 (BN254, a
// random permutation): gnark-crypto's BuildRatioCopyConstraint (with the
// copies of the wires it needs), against ratioZ.
func BenchmarkRatio(b *testing.B) {
	const n = 1 << 20
	rng := rand.New(rand.NewPCG(5, 6))
	tr := &traceBN254{domain0: fftbn254.NewDomain(n), perm: perm3(n, false, rng), omega0: make([]frbn254.Element, n)}
	fftbn254.BuildExpTable(tr.domain0.Generator, tr.omega0)
	sigmaBN254(tr)
	var lro [3][]frbn254.Element
	for j := range lro {
		lro[j] = make([]frbn254.Element, n)
		for i := range lro[j] {
			lro[j][i].SetRandom()
		}
	}
	var beta, gamma frbn254.Element
	beta.SetRandom()
	gamma.SetRandom()
	form := iopbn254.Form{Basis: iopbn254.Lagrange, Layout: iopbn254.Regular}
	b.Run("gnark-crypto", func(b *testing.B) {
		for b.Loop() {
			entries := make([]*iopbn254.Polynomial, 3)
			for j := range entries {
				v := append([]frbn254.Element(nil), lro[j]...)
				entries[j] = iopbn254.NewPolynomial(&v, form)
			}
			if _, err := iopbn254.BuildRatioCopyConstraint(entries, tr.perm, beta, gamma, form, tr.domain0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("zkaccel", func(b *testing.B) {
		for b.Loop() {
			ratioZBN254(tr, lro, beta, gamma)
		}
	})
}

// The permutation's values σ(jn + i) = u^⌊p/n⌋·ω^(p mod n), p = perm[jn + i],
// as gnark's trace holds them in S1, S2, S3.

func sigmaBN254(tr *traceBN254) {
	n := int64(len(tr.omega0))
	var up [3]frbn254.Element
	up[0].SetOne()
	up[1] = tr.domain0.FrMultiplicativeGen
	up[2].Square(&up[1])
	for j := range tr.sigma {
		tr.sigma[j] = make([]frbn254.Element, n)
		for i := range tr.sigma[j] {
			p := tr.perm[int64(j)*n+int64(i)]
			tr.sigma[j][i].Mul(&tr.omega0[p%n], &up[p/n])
		}
	}
}

func sigmaBLS12381(tr *traceBLS12381) {
	n := int64(len(tr.omega0))
	var up [3]frbls12381.Element
	up[0].SetOne()
	up[1] = tr.domain0.FrMultiplicativeGen
	up[2].Square(&up[1])
	for j := range tr.sigma {
		tr.sigma[j] = make([]frbls12381.Element, n)
		for i := range tr.sigma[j] {
			p := tr.perm[int64(j)*n+int64(i)]
			tr.sigma[j][i].Mul(&tr.omega0[p%n], &up[p/n])
		}
	}
}

func sigmaBLS12377(tr *traceBLS12377) {
	n := int64(len(tr.omega0))
	var up [3]frbls12377.Element
	up[0].SetOne()
	up[1] = tr.domain0.FrMultiplicativeGen
	up[2].Square(&up[1])
	for j := range tr.sigma {
		tr.sigma[j] = make([]frbls12377.Element, n)
		for i := range tr.sigma[j] {
			p := tr.perm[int64(j)*n+int64(i)]
			tr.sigma[j][i].Mul(&tr.omega0[p%n], &up[p/n])
		}
	}
}
