package plonk_test

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/frontend"

	"github.com/zkaccel/zkaccel"
	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/optest"
)

// BenchmarkOverheadPlonk alternates gnark's own PLONK prover and zkaccel's
// on the CPU device, proof by proof, on a BN254 cubic chain of about 2^k
// constraints, and reports the median of each and of their ratio
// (zkaccel/gnark). zkaccel's Prover is made once, as production provers
// keep it, and proves once before the timed pairs (which computes the
// circuit's trace in canonical form, kept for every later proof).
func BenchmarkOverheadPlonk(b *testing.B) {
	id := ecc.BN254
	for _, logN := range []int{12, 16, 18} {
		b.Run(fmt.Sprintf("bn254/2^%d/paired", logN), func(b *testing.B) {
			rounds := 1<<(logN-2) - 1 // PLONK: about 4 constraints per round
			s := setupOf(b, fmt.Sprintf("bench-%d", logN), id, &circuits.Cubic{Rounds: rounds})
			w, err := frontend.NewWitness(circuits.CubicAssignment(id.ScalarField(), big.NewInt(3), rounds), id.ScalarField())
			if err != nil {
				b.Fatal(err)
			}
			p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(zkaccel.HostCPU()))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.Prove(s.ccs, w); err != nil {
				b.Fatal(err)
			}
			b.Logf("%d constraints", s.ccs.GetNbConstraints())
			optest.BenchPaired(b, func() error {
				_, err := plonk.Prove(s.ccs, s.pk, w)
				return err
			}, func() error {
				_, err := p.Prove(s.ccs, w)
				return err
			})
		})
	}
}
