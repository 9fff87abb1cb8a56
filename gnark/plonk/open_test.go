package plonk_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/plonk"

	"github.com/zkaccel/zkaccel"
	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestOpenDevice checks, on each GPU runtime device, a Prover's openings
// on the device (zplonk.EnvOpen) on the three curves, with and without
// statistical zero knowledge: three proofs with the switch on and three
// with it off, each checked by gnark's verifier. On, the divisions and the
// opening MSMs are one device call, the circuit's polynomials stay with
// their coefficients (7 + k + 1 vectors of n more: the fixed ones, the
// Qcpᵢ and Qk), each proof uploads fewer bytes than with it off (the
// openings' scalars stay there), and the device holds no more after each
// proof than after the first (the quotient's kept coefficients are
// freed). A prover whose polynomials were loaded without coefficients (the
// switch off at its first proof) opens on the host once it is on, and one
// whose device declines (the switch off later) too; both proofs verify.
func TestOpenDevice(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		d, wc := countingGPU(t, dev)
		for _, id := range []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377} {
			for _, statZK := range []bool{false, true} {
				name := id.String()
				if statZK {
					name += "/statzk"
				}
				t.Run(name, func(t *testing.T) { testOpenDevice(t, id, statZK, d, wc) })
			}
		}
		// The openings on the device declined after a quotient that kept
		// H and the coefficients there only: the host reads them back
		// and opens; the proofs verify.
		t.Run("declined", func(t *testing.T) {
			// This path: the openings switched on, after the one-call
			// quotient that keeps H (whatever fallback the run sets).
			t.Setenv(zplonk.EnvOpen, "1")
			t.Setenv(gpu.EnvPlonkFuse, "1")
			defer zplonk.SetDeclineOpen(true)()
			for _, id := range []ecc.ID{ecc.BN254, ecc.BLS12_381} {
				s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
				p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(d))
				if err != nil {
					t.Fatal(err)
				}
				for i := range 2 {
					w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(int64(70+i), 3, 1))
					var rep zplonk.Report
					r := seedProof(t, s)
					proof, err := p.Prove(s.ccs, w, zplonk.WithReport(&rep), zplonk.WithProverOptions(backend.WithStatisticalZeroKnowledge()))
					if err != nil {
						t.Fatal(err)
					}
					verifySame(t, s, w, pub, r, proof, backend.WithStatisticalZeroKnowledge())
					if oneCall(&rep) || rep.Get("read back") <= 0 {
						t.Errorf("%s, proof %d: openings on the device %v, read back %v: %s", id, i, oneCall(&rep), rep.Get("read back"), rep.String())
					}
				}
				p.Close()
			}
		})
		t.Run("switched", func(t *testing.T) {
			id := ecc.BN254
			s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
			for _, c := range []struct {
				env    [2]string
				onCall [2]bool
			}{
				{[2]string{"0", "1"}, [2]bool{false, false}}, // loaded without coefficients
				{[2]string{"1", "0"}, [2]bool{true, false}},  // the device declines
			} {
				before := d.ResidentBytes()
				p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(d))
				if err != nil {
					t.Fatal(err)
				}
				for i, on := range c.env {
					t.Setenv(zplonk.EnvOpen, on)
					w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(int64(40+i), 3, 1))
					var rep zplonk.Report
					r := seedProof(t, s)
					proof, err := p.Prove(s.ccs, w, zplonk.WithReport(&rep))
					if err != nil {
						t.Fatal(err)
					}
					verifySame(t, s, w, pub, r, proof)
					if got := oneCall(&rep); got != c.onCall[i] {
						t.Errorf("%s %v, proof %d: the openings on the device %v, want %v: %s", zplonk.EnvOpen, c.env, i, got, c.onCall[i], rep.String())
					}
				}
				p.Close()
				if got := d.ResidentBytes(); got != before {
					t.Errorf("%s %v: %d bytes resident after Close, want %d", zplonk.EnvOpen, c.env, got, before)
				}
			}
		})
	})
}

// oneCall reports whether a proof's openings ran as one device call.
func oneCall(rep *zplonk.Report) bool {
	call := rep.Get("msm batch opening")
	return call > 0 && rep.Get("msm Z opening") == call && rep.Get("divide") == call && rep.Get("divide Z") == call
}

// testOpenDevice is TestOpenDevice on curve id, d counting its writes in
// wc.
func testOpenDevice(t *testing.T, id ecc.ID, statZK bool, d *gpu.Device, wc *writeCounter) {
	s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	n := int64(keySize(t, s.pk))
	written, held := map[string][]int64{}, map[string][]uint64{}
	for _, on := range []string{"0", "1"} {
		t.Setenv(zplonk.EnvOpen, on)
		before := d.ResidentBytes()
		p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(d))
		if err != nil {
			t.Fatal(err)
		}
		for round := range 3 {
			w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(int64(90+round), 3, 1))
			opts := []zplonk.Option{}
			var rep zplonk.Report
			opts = append(opts, zplonk.WithReport(&rep))
			if statZK {
				opts = append(opts, zplonk.WithProverOptions(backend.WithStatisticalZeroKnowledge()))
			}
			wc.take()
			proof, err := p.Prove(s.ccs, w, opts...)
			if err != nil {
				t.Fatal(err)
			}
			written[on] = append(written[on], wc.take())
			held[on] = append(held[on], d.ResidentBytes()-before)
			if err := plonk.Verify(proof, s.vk, pub); err != nil {
				t.Fatalf("%s=%s, round %d: %v", zplonk.EnvOpen, on, round, err)
			}
			if got := oneCall(&rep); got != (on == "1") {
				t.Errorf("%s=%s, round %d: openings as one device call %v: %s", zplonk.EnvOpen, on, round, got, rep.String())
			}
		}
		if held[on][1] != held[on][0] || held[on][2] != held[on][0] {
			t.Errorf("%s=%s: resident bytes %v after each proof; want the same", zplonk.EnvOpen, on, held[on])
		}
		p.Close()
	}
	if got, want := int64(held["1"][0]-held["0"][0]), (7+1+1)*n*32; got != want {
		t.Errorf("the coefficients for the openings take %d bytes, want (7 + k + 1)·n elements = %d", got, want)
	}
	for round := 1; round < 3; round++ {
		if written["1"][round] >= written["0"][round]-n*32 {
			t.Errorf("round %d: %d bytes written with the openings on the device, %d without; want at least n elements fewer",
				round, written["1"][round], written["0"][round])
		}
	}
	t.Logf("n = %d; bytes written per proof: %s=0 %v, =1 %v", n, zplonk.EnvOpen, written["0"], written["1"])
}
