package goldilocks

import (
	"testing"

	field "github.com/consensys/gnark-crypto/field/goldilocks"
	goldenposeidon "github.com/iden3/go-iden3-crypto/goldenposeidon"
)

// TestHermezConstants checks every embedded constant against
// go-iden3-crypto's exported tables (C, M, P, S, and the round counts), and
// the MDS rows that PermuteHermez builds against M.
func TestHermezConstants(t *testing.T) {
	if goldenposeidon.NROUNDSF != hermezFullRounds || goldenposeidon.NROUNDSP != hermezPartialRounds ||
		goldenposeidon.CAPLEN != hermezCapacity {
		t.Fatalf("go-iden3-crypto has %d full rounds, %d partial rounds, capacity %d",
			goldenposeidon.NROUNDSF, goldenposeidon.NROUNDSP, goldenposeidon.CAPLEN)
	}
	if len(goldenposeidon.C) != len(hermezRoundConsts) {
		t.Fatalf("go-iden3-crypto has %d round constants, we have %d", len(goldenposeidon.C), len(hermezRoundConsts))
	}
	for i, c := range goldenposeidon.C {
		if got := c.ToUint64Regular(); got != hermezRoundConsts[i] {
			t.Errorf("round constant %d: %#x, go-iden3-crypto has %#x", i, hermezRoundConsts[i], got)
		}
	}
	if len(goldenposeidon.M) != hermezWidth || len(goldenposeidon.P) != hermezWidth {
		t.Fatalf("go-iden3-crypto's M and P have %d and %d rows", len(goldenposeidon.M), len(goldenposeidon.P))
	}
	for j := range hermezWidth {
		for i := range hermezWidth {
			// go-iden3-crypto computes s'[i] = Σ_j M[j][i]·s[j].
			if got := goldenposeidon.M[j][i].ToUint64Regular(); got != hermezMDS[i][j] {
				t.Errorf("MDS row %d, column %d: %d, go-iden3-crypto's M[%d][%d] is %d", i, j, hermezMDS[i][j], j, i, got)
			}
			if got := goldenposeidon.P[j][i].ToUint64Regular(); got != hermezPreMatrix[j][i] || got != hermezPre[i][j] {
				t.Errorf("pre-matrix [%d][%d]: %#x (transposed %#x), go-iden3-crypto has %#x", j, i, hermezPreMatrix[j][i], hermezPre[i][j], got)
			}
		}
	}
	const perRound = 2*hermezWidth - 1
	if len(goldenposeidon.S) != hermezPartialRounds*perRound {
		t.Fatalf("go-iden3-crypto has %d sparse-matrix values", len(goldenposeidon.S))
	}
	for k, s := range goldenposeidon.S {
		if got := s.ToUint64Regular(); got != hermezSparse[k/perRound][k%perRound] {
			t.Errorf("sparse value %d (round %d, index %d): %#x, go-iden3-crypto has %#x", k, k/perRound, k%perRound, hermezSparse[k/perRound][k%perRound], got)
		}
	}
	for i := range hermezRC {
		if got := (&field.Element{hermezRC[i]}).Uint64(); got != hermezRoundConsts[i] {
			t.Errorf("hermezRC[%d] holds %#x, want %#x", i, got, hermezRoundConsts[i])
		}
	}
}
