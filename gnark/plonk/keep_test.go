package plonk_test

import (
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/plonk"
	plonkbls377 "github.com/consensys/gnark/backend/plonk/bls12-377"
	plonkbls381 "github.com/consensys/gnark/backend/plonk/bls12-381"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
	"github.com/consensys/gnark/constraint"

	"github.com/zkaccel/zkaccel"
	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// writeCounter is a GPU runtime that counts the bytes written to its
// device.
type writeCounter struct {
	gpu.Runtime
	mu sync.Mutex
	n  int64
}

func (w *writeCounter) Write(dst gpu.Buffer, off int, src []byte) error {
	w.mu.Lock()
	w.n += int64(len(src))
	w.mu.Unlock()
	return w.Runtime.Write(dst, off, src)
}

// countingGPU returns a device over dev's GPU runtime that counts the
// bytes written to it (released when the test ends); it skips the test
// where dev is no GPU runtime device.
func countingGPU(t *testing.T, dev zkaccel.Device) (*gpu.Device, *writeCounter) {
	t.Helper()
	gd, ok := dev.(*gpu.Device)
	if !ok {
		t.Skipf("%v is not a GPU runtime device", dev)
	}
	wc := &writeCounter{Runtime: gd.Runtime()}
	d := gpu.NewDevice(wc)
	t.Cleanup(d.ReleaseCache)
	return d, wc
}

// take returns the bytes written since the last take.
func (w *writeCounter) take() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.n
	w.n = 0
	return n
}

// TestKeep checks, on each GPU runtime device, what a Prover uploads per
// proof with zplonk.EnvKeep on and off: from the second proof on, with it
// on, the ratio reads σ from the circuit's resident polynomials and the
// wires where their commitments left them, and the quotient reads L, R, O
// and Z where the ratio left them, so that each proof writes exactly
// 7·n + 3·off − 2·p + k·n elements fewer, less the rows read as zero (see
// testKeep); every
// proof verifies either way, and the device holds nothing more after each
// proof than after the first. It runs on the three curves.
func TestKeep(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		d, wc := countingGPU(t, dev)
		for _, id := range []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377} {
			t.Run(id.String(), func(t *testing.T) { testKeep(t, id, d, wc) })
		}
	})
}

// keySize returns the domain size n of a PLONK proving key.
func keySize(t *testing.T, pk plonk.ProvingKey) uint64 {
	t.Helper()
	switch pk := pk.(type) {
	case *plonkbn254.ProvingKey:
		return pk.Vk.Size
	case *plonkbls381.ProvingKey:
		return pk.Vk.Size
	case *plonkbls377.ProvingKey:
		return pk.Vk.Size
	}
	t.Fatalf("proving key %T", pk)
	return 0
}

// testKeep is TestKeep on curve id, d counting its writes in wc.
func testKeep(t *testing.T, id ecc.ID, d *gpu.Device, wc *writeCounter) {
	// The counts below are those of the default paths (the one-call
	// quotient, the ratio on the device), whatever fallback the run sets.
	t.Setenv(gpu.EnvPlonkFuse, "1")
	t.Setenv(gpu.EnvPlonkRatio, "1")
	s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	written := map[string][]int64{}
	for _, keep := range []string{"0", "1"} {
		t.Setenv(zplonk.EnvKeep, keep)
		p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(d))
		if err != nil {
			t.Fatal(err)
		}
		var held []uint64
		for round := range 3 {
			w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(int64(90+round), 3, 1))
			wc.take()
			r := seedProof(t, s)
			proof, err := p.Prove(s.ccs, w)
			if err != nil {
				t.Fatal(err)
			}
			written[keep] = append(written[keep], wc.take())
			verifySame(t, s, w, pub, r, proof)
			held = append(held, d.ResidentBytes())
		}
		if held[1] != held[0] || held[2] != held[0] {
			t.Errorf("%s=%s: resident bytes %v after each proof; want the same", zplonk.EnvKeep, keep, held)
		}
		p.Close()
	}
	// σ (3n) and the values for the quotient (4n); the wires for the ratio
	// (3n), less what their commitments' call uploads beyond the MSMs'
	// scalars: each wire whole (3n) against its rows los … off − 1
	// (3·off − 2·p, p the public inputs, off = p + the constraints).
	// With it on, the call also uploads the rows its MSMs read as zero
	// (4 bytes each: the slots where the circuit names wire 0, and L's
	// public row 0) and two elements (zero and s₀, written there).
	n, p := int64(keySize(t, s.pk)), int64(s.ccs.GetNbPublicVariables())
	off := p + int64(s.ccs.GetNbConstraints())
	spr, ok := s.ccs.(interface{ GetSparseR1Cs() []constraint.SparseR1C })
	if !ok {
		t.Fatalf("constraint system %T", s.ccs)
	}
	zeros := int64(0)
	if p > 0 {
		zeros++
	}
	for _, c := range spr.GetSparseR1Cs() {
		for _, w := range []uint32{c.XA, c.XB, c.XC} {
			if w == 0 {
				zeros++
			}
		}
	}
	// And each commitment's values, kept from its commitment for the
	// quotient: n per commitment.
	cms, ok := s.ccs.GetCommitments().(constraint.PlonkCommitments)
	if !ok {
		t.Fatalf("commitments %T", s.ccs.GetCommitments())
	}
	k := int64(len(cms))
	want := (7*n+3*off-2*p+k*n)*32 - 4*zeros // the three scalar fields' elements
	if zeros > 0 {
		want -= 2 * 32
	}
	for round := 1; round < 3; round++ {
		if got := written["0"][round] - written["1"][round]; got != want {
			t.Errorf("round %d: %d bytes written with %s=0, %d with 1: %d fewer, want 7·n + 3·off − 2·p + k·n elements less the zero rows = %d",
				round, written["0"][round], zplonk.EnvKeep, written["1"][round], got, want)
		}
	}
	t.Logf("bytes written per proof: %s=0 %v, =1 %v", zplonk.EnvKeep, written["0"], written["1"])
}
