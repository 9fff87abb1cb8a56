package inputs

import (
	"bytes"
	"math/rand"
	"runtime"
	"testing"

	bls381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// withProcs runs f with GOMAXPROCS set to n.
func withProcs(t *testing.T, n int, f func()) {
	t.Helper()
	old := runtime.GOMAXPROCS(n)
	defer runtime.GOMAXPROCS(old)
	f()
}

// sequentialElements is Elements as it was before the blocks: 64 bytes of
// rng for each element in turn.
func sequentialElements(rng *rand.Rand, n int) []frbn.Element {
	out := make([]frbn.Element, n)
	var buf [64]byte
	for i := range out {
		rng.Read(buf[:])
		out[i].SetBytes(buf[:])
	}
	return out
}

// TestElementsSmallUnchanged: up to BlockLen elements come from rng one
// after another, as before the blocks, so small inputs did not change.
func TestElementsSmallUnchanged(t *testing.T) {
	for _, n := range []int{0, 1, 100, BlockLen} {
		got := Elements[frbn.Element](NewRand(7), n)
		want := sequentialElements(NewRand(7), n)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("n=%d: element %d differs from the sequential draw", n, i)
			}
		}
	}
}

// TestElementsBlocks: above BlockLen, the draw depends on the seed only
// (one core or four give the same elements), each block is drawn from its
// own source (no two blocks start alike, and none repeats the sequential
// draw), and the seed changes every block.
func TestElementsBlocks(t *testing.T) {
	n := 3*BlockLen + 5
	var one, four []frbn.Element
	withProcs(t, 1, func() { one = Elements[frbn.Element](NewRand(7), n) })
	withProcs(t, 4, func() { four = Elements[frbn.Element](NewRand(7), n) })
	if len(one) != n || len(four) != n {
		t.Fatalf("lengths %d and %d, want %d", len(one), len(four), n)
	}
	for i := range one {
		if one[i] != four[i] {
			t.Fatalf("element %d differs between 1 and 4 cores", i)
		}
	}
	seen := map[frbn.Element]int{}
	for b := 0; b*BlockLen < n; b++ {
		e := one[b*BlockLen]
		if e.IsZero() {
			t.Errorf("block %d starts with zero", b)
		}
		if prev, ok := seen[e]; ok {
			t.Errorf("blocks %d and %d start with the same element", prev, b)
		}
		seen[e] = b
	}
	seq := sequentialElements(NewRand(7), 2)
	if one[0] == seq[0] && one[1] == seq[1] {
		t.Error("the first block repeats the sequential draw of the same seed")
	}
	other := Elements[frbn.Element](NewRand(8), n)
	for b := 0; b*BlockLen < n; b++ {
		if i := b*BlockLen + 3; other[i] == one[i] {
			t.Errorf("seeds 7 and 8 agree at element %d", i)
		}
	}
	if last := one[n-1]; last.IsZero() {
		t.Error("the last, short block was not drawn")
	}
}

// TestBytes: small fills are rng's own bytes; large ones depend on the
// seed only, and every block is filled.
func TestBytes(t *testing.T) {
	small := make([]byte, 1000)
	Bytes(NewRand(3), small)
	want := make([]byte, 1000)
	NewRand(3).Read(want)
	if !bytes.Equal(small, want) {
		t.Error("a small fill differs from rng's own bytes")
	}
	n := 2*BlockLen + 17
	var one, four []byte
	withProcs(t, 1, func() { one = make([]byte, n); Bytes(NewRand(3), one) })
	withProcs(t, 4, func() { four = make([]byte, n); Bytes(NewRand(3), four) })
	if !bytes.Equal(one, four) {
		t.Error("a large fill differs between 1 and 4 cores")
	}
	for b := 0; b*BlockLen < n; b++ {
		end := min(n, b*BlockLen+16)
		if bytes.Count(one[b*BlockLen:end], []byte{0}) == end-b*BlockLen {
			t.Errorf("block %d left zero", b)
		}
	}
	if bytes.Equal(one[:64], one[BlockLen:BlockLen+64]) {
		t.Error("blocks 0 and 1 start alike")
	}
}

// TestWalk: a walk in blocks gives points of the group, all distinct, the
// same on one core or four; a small walk is the single walk of before.
func TestWalk(t *testing.T) {
	n := 2*BlockLen + 9
	var one, four []bn254.G1Affine
	withProcs(t, 1, func() { one = WalkBN254G1(NewRand(5), n) })
	withProcs(t, 4, func() { four = WalkBN254G1(NewRand(5), n) })
	if len(one) != n {
		t.Fatalf("%d points, want %d", len(one), n)
	}
	seen := make(map[bn254.G1Affine]int, n)
	for i := range one {
		if one[i] != four[i] {
			t.Fatalf("point %d differs between 1 and 4 cores", i)
		}
		if prev, ok := seen[one[i]]; ok {
			t.Fatalf("points %d and %d are equal", prev, i)
		}
		seen[one[i]] = i
	}
	for _, i := range []int{0, 1, BlockLen - 1, BlockLen, BlockLen + 1, n - 1} {
		if !one[i].IsInSubGroup() {
			t.Errorf("point %d is not in G1", i)
		}
	}
	// Within a block, consecutive points differ by one of the 64 steps:
	// the walk really walks (checked where a block starts and inside).
	for _, i := range []int{1, BlockLen + 1, BlockLen + 100} {
		var d bn254.G1Affine
		d.Sub(&one[i], &one[i-1])
		if !d.IsInSubGroup() || d.IsInfinity() {
			t.Errorf("points %d and %d: bad step", i-1, i)
		}
	}

	// At most BlockLen points: the single walk from rng, as before.
	small := WalkBN254G1(NewRand(5), 1000)
	rng := NewRand(5)
	steps := BN254G1(rng, walkSteps+1)
	var p bn254.G1Jac
	p.FromAffine(&steps[walkSteps])
	for i := 0; i < 1000; i++ {
		if i > 0 {
			p.AddMixed(&steps[rng.Intn(walkSteps)])
		}
		var a bn254.G1Affine
		a.FromJacobian(&p)
		if a != small[i] {
			t.Fatalf("small walk: point %d differs from the single walk", i)
		}
	}

	// G2 through its own conversion to affine.
	g2 := WalkBLS12381G2(NewRand(5), BlockLen+3)
	for _, i := range []int{0, BlockLen - 1, BlockLen, BlockLen + 2} {
		if !g2[i].IsInSubGroup() {
			t.Errorf("BLS12-381 G2 point %d is not in G2", i)
		}
	}
	if g2[BlockLen] == g2[BlockLen-1] || g2[BlockLen].Equal(&bls381.G2Affine{}) {
		t.Error("BLS12-381 G2: the second block did not start a walk of its own")
	}
}
