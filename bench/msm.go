package bench

import (
	"fmt"
	"math/rand"
	"strings"

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

// The MSM's scalar distributions ([Config].Scalars).
const (
	// ScalarsUniform draws each scalar uniformly from the field: the
	// default, and the usual benchmark.
	ScalarsUniform = "uniform"
	// ScalarsBits makes each scalar 0 or 1 at random, as the boolean wires
	// of a witness are (Groth16's A and B MSMs in circuits full of bits):
	// half the entries land in one bucket, the rest in none. Its results'
	// variant is the group's with "-bits" ("g1-bits").
	ScalarsBits = "bits"
)

// ScalarKinds lists the MSM's scalar distributions.
func ScalarKinds() []string { return []string{ScalarsUniform, ScalarsBits} }

// msmWorkload returns the MSM workload of curve c, group g, with scalars
// of distribution kind ([ScalarKinds]; "" is uniform). Points come from
// inputs' random walk (independent points would cost a scalar
// multiplication each).
func msmWorkload(c zkaccel.Curve, g zkaccel.Group, kind string) (*workload, error) {
	variant := g.String()
	switch kind {
	case "", ScalarsUniform:
	case ScalarsBits:
		variant += "-bits"
	default:
		return nil, fmt.Errorf("zkaccel bench: msm: unknown scalar distribution %q (known: %s)", kind, strings.Join(ScalarKinds(), ", "))
	}
	w := &workload{op: OpMSM, target: string(c), variant: variant, check: func(int) error { return nil }}
	type prep = func(*rand.Rand, int) instance
	var g1, g2 prep
	switch c {
	case zkaccel.BN254:
		g1 = func(rng *rand.Rand, n int) instance {
			return newMSM[bn254.G1Jac, bn254.G1Affine](inputs.WalkBN254G1(rng, n), msmScalars[frbn.Element](rng, n, kind), msmbn.MultiExpG1)
		}
		g2 = func(rng *rand.Rand, n int) instance {
			return newMSM[bn254.G2Jac, bn254.G2Affine](inputs.WalkBN254G2(rng, n), msmScalars[frbn.Element](rng, n, kind), msmbn.MultiExpG2)
		}
	case zkaccel.BLS12381:
		g1 = func(rng *rand.Rand, n int) instance {
			return newMSM[bls381.G1Jac, bls381.G1Affine](inputs.WalkBLS12381G1(rng, n), msmScalars[fr381.Element](rng, n, kind), msm381.MultiExpG1)
		}
		g2 = func(rng *rand.Rand, n int) instance {
			return newMSM[bls381.G2Jac, bls381.G2Affine](inputs.WalkBLS12381G2(rng, n), msmScalars[fr381.Element](rng, n, kind), msm381.MultiExpG2)
		}
	case zkaccel.BLS12377:
		g1 = func(rng *rand.Rand, n int) instance {
			return newMSM[bls377.G1Jac, bls377.G1Affine](inputs.WalkBLS12377G1(rng, n), msmScalars[fr377.Element](rng, n, kind), msm377.MultiExpG1)
		}
		g2 = func(rng *rand.Rand, n int) instance {
			return newMSM[bls377.G2Jac, bls377.G2Affine](inputs.WalkBLS12377G2(rng, n), msmScalars[fr377.Element](rng, n, kind), msm377.MultiExpG2)
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

// msmScalars draws n scalars of distribution kind.
func msmScalars[E any, PE interface {
	*E
	SetOne() *E
	SetBytes(b []byte) *E
}](rng *rand.Rand, n int, kind string) []E {
	if kind != ScalarsBits {
		return inputs.Elements[E, PE](rng, n)
	}
	out := make([]E, n)
	for i := range out {
		if rng.Intn(2) == 1 {
			PE(&out[i]).SetOne()
		}
	}
	return out
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
