package bench

import (
	"fmt"
	"math/rand"

	bls377 "github.com/consensys/gnark-crypto/ecc/bls12-377"
	fr377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	bls381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	fr381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/msm"
	msm377 "github.com/zkaccel/zkaccel/msm/bls12-377"
	msm381 "github.com/zkaccel/zkaccel/msm/bls12-381"
	msmbn "github.com/zkaccel/zkaccel/msm/bn254"
)

// msmWorkload returns the MSM workload of curve c, group g. Points come
// from inputs' random walk (independent points would cost a scalar
// multiplication each), scalars are uniform.
func msmWorkload(c zkaccel.Curve, g zkaccel.Group) (*workload, error) {
	w := &workload{op: OpMSM, target: string(c), variant: g.String(), check: func(int) error { return nil }}
	type prep = func(*rand.Rand, int) instance
	var g1, g2 prep
	switch c {
	case zkaccel.BN254:
		g1 = func(rng *rand.Rand, n int) instance {
			return newMSM[bn254.G1Jac, bn254.G1Affine](inputs.WalkBN254G1(rng, n), inputs.Elements[frbn.Element](rng, n), msmbn.MultiExpG1)
		}
		g2 = func(rng *rand.Rand, n int) instance {
			return newMSM[bn254.G2Jac, bn254.G2Affine](inputs.WalkBN254G2(rng, n), inputs.Elements[frbn.Element](rng, n), msmbn.MultiExpG2)
		}
	case zkaccel.BLS12381:
		g1 = func(rng *rand.Rand, n int) instance {
			return newMSM[bls381.G1Jac, bls381.G1Affine](inputs.WalkBLS12381G1(rng, n), inputs.Elements[fr381.Element](rng, n), msm381.MultiExpG1)
		}
		g2 = func(rng *rand.Rand, n int) instance {
			return newMSM[bls381.G2Jac, bls381.G2Affine](inputs.WalkBLS12381G2(rng, n), inputs.Elements[fr381.Element](rng, n), msm381.MultiExpG2)
		}
	case zkaccel.BLS12377:
		g1 = func(rng *rand.Rand, n int) instance {
			return newMSM[bls377.G1Jac, bls377.G1Affine](inputs.WalkBLS12377G1(rng, n), inputs.Elements[fr377.Element](rng, n), msm377.MultiExpG1)
		}
		g2 = func(rng *rand.Rand, n int) instance {
			return newMSM[bls377.G2Jac, bls377.G2Affine](inputs.WalkBLS12377G2(rng, n), inputs.Elements[fr377.Element](rng, n), msm377.MultiExpG2)
		}
	default:
		return nil, fmt.Errorf("zkaccel bench: msm: unknown curve %q (curves: %s)", c, joinNames(Curves()))
	}
	switch g {
	case zkaccel.G1:
		w.prepare = func(rng *rand.Rand, logN int) instance { return g1(rng, 1<<logN) }
	case zkaccel.G2:
		w.prepare = func(rng *rand.Rand, logN int) instance { return g2(rng, 1<<logN) }
	default:
		return nil, fmt.Errorf("zkaccel bench: msm: unknown group %v (groups: g1, g2)", g)
	}
	return w, nil
}

// affine is the part of a gnark-crypto affine point type used here.
type affine[A, J any] interface {
	*A
	FromJacobian(*J) *A
	Marshal() []byte
}

// msmInstance is one MSM's inputs and result.
type msmInstance[J, A, S any, PA affine[A, J]] struct {
	points   []A
	scalars  []S
	result   J
	multiExp func(*J, []A, []S, ...msm.Option) (*J, error)
}

func newMSM[J, A any, S any, PA affine[A, J]](points []A, scalars []S, f func(*J, []A, []S, ...msm.Option) (*J, error)) instance {
	return &msmInstance[J, A, S, PA]{points: points, scalars: scalars, multiExp: f}
}

func (m *msmInstance[J, A, S, PA]) reset() {}

func (m *msmInstance[J, A, S, PA]) run(dev zkaccel.Device, rep *zkaccel.Report) error {
	_, err := m.multiExp(&m.result, m.points, m.scalars, msm.WithDevice(dev), msm.WithReport(rep))
	return err
}

func (m *msmInstance[J, A, S, PA]) digest() []byte {
	var a A
	PA(&a).FromJacobian(&m.result)
	return PA(&a).Marshal()
}
