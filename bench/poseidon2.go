package bench

import (
	"crypto/sha256"
	"fmt"
	"math/rand"
	"sync"

	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	p2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark-crypto/field/babybear"
	p2bb "github.com/consensys/gnark-crypto/field/babybear/poseidon2"
	"github.com/consensys/gnark-crypto/field/goldilocks"
	p2gl "github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"
	"github.com/consensys/gnark-crypto/field/koalabear"
	p2kb "github.com/consensys/gnark-crypto/field/koalabear/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
	posbb "github.com/zkaccel/zkaccel/poseidon/babybear"
	posbn "github.com/zkaccel/zkaccel/poseidon/bn254"
	posgl "github.com/zkaccel/zkaccel/poseidon/goldilocks"
	poskb "github.com/zkaccel/zkaccel/poseidon/koalabear"
)

// poseidon2Workloads returns the Poseidon2 workloads: Permute2 of 2^k
// uniform states in place, with the parameters gnark-crypto v0.21.0 uses
// for each field,
//
//   - bn254 t=3: poseidon2.NewParameters(3, 8, 56), the HorizenLabs
//     instance's width and round counts (gnark-crypto's default,
//     GetDefaultParameters, is the width-2 compression below);
//   - goldilocks t=8: GetDefaultParameters(), NewParameters(8, 6, 17);
//   - babybear t=16: GetDefaultParameters(), NewParameters(16, 8, 13);
//   - koalabear t=16: GetDefaultParameters(), NewParameters(16, 6, 21);
//
// and bn254 merkle: bn254.MerkleRootPoseidon2 of 2^k uniform leaves with
// GetDefaultParameters(), NewParameters(2, 6, 50), gnark-crypto's
// Poseidon2 compression.
func poseidon2Workloads() []*workload {
	return []*workload{
		p2Workload(zkaccel.FieldBN254, p2bnT3, posbn.Permute2),
		p2Workload(zkaccel.FieldGoldilocks, p2gl.GetDefaultParameters, posgl.Permute2),
		p2Workload(zkaccel.FieldBabyBear, p2bb.GetDefaultParameters, posbb.Permute2),
		p2Workload(zkaccel.FieldKoalaBear, p2kb.GetDefaultParameters, poskb.Permute2),
		{op: OpPoseidon2, target: string(zkaccel.FieldBN254), variant: "merkle", field: zkaccel.FieldBN254,
			items: perNode, check: anySize,
			prepare: func(rng *rand.Rand, logN int) instance {
				return &p2MerkleInstance{params: p2bn.GetDefaultParameters(), leaves: inputs.Elements[frbn.Element](rng, 1<<logN)}
			}},
	}
}

// p2bnT3 returns the BN254 width-3 parameters, derived once (gnark-crypto
// derives their round keys from a seed with Keccak).
var p2bnT3 = sync.OnceValue(func() *p2bn.Parameters { return p2bn.NewParameters(3, 8, 56) })

// p2Params is the part of a gnark-crypto poseidon2.Parameters used here.
type p2Params interface {
	*p2bn.Parameters | *p2gl.Parameters | *p2bb.Parameters | *p2kb.Parameters
}

// p2Field is a field element type the Poseidon2 workloads permute.
type p2Field interface {
	frbn.Element | goldilocks.Element | babybear.Element | koalabear.Element
}

// p2Workload returns the Permute2 workload of field f with the parameters
// params returns; the variant is "t=<width>".
func p2Workload[P p2Params, E p2Field, PE interface {
	*E
	SetBytes([]byte) *E
}](f zkaccel.Field, params func() P, permute func(P, []E, ...poseidon.Option) error) *workload {
	return &workload{
		op: OpPoseidon2, target: string(f), variant: fmt.Sprintf("t=%d", p2Width(params())), field: f,
		items: perItem, check: anySize,
		prepare: func(rng *rand.Rand, logN int) instance {
			p := params()
			input := inputs.Elements[E, PE](rng, (1<<logN)*p2Width(p))
			return &p2Instance[P, E]{params: p, input: input, work: make([]E, len(input)), permute: permute}
		},
	}
}

// p2Width is the width of gnark-crypto Poseidon2 parameters.
func p2Width[P p2Params](p P) int {
	switch p := any(p).(type) {
	case *p2bn.Parameters:
		return p.Width
	case *p2gl.Parameters:
		return p.Width
	case *p2bb.Parameters:
		return p.Width
	case *p2kb.Parameters:
		return p.Width
	}
	return 0
}

// p2Instance is one Permute2 batch: the parameters, the states drawn, and
// the buffer each run permutes in place.
type p2Instance[P p2Params, E p2Field] struct {
	params      P
	input, work []E
	permute     func(P, []E, ...poseidon.Option) error
}

func (p *p2Instance[P, E]) reset() { copy(p.work, p.input) }

func (p *p2Instance[P, E]) run(dev zkaccel.Device, rep *zkaccel.Report) error {
	return p.permute(p.params, p.work, poseidon.WithDevice(dev), poseidon.WithReport(rep))
}

func (p *p2Instance[P, E]) digest() []byte {
	sum := sha256.Sum256(rawbytes.Of(p.work))
	return sum[:]
}

// p2MerkleInstance is one Poseidon2 Merkle tree over BN254: its leaves and
// root.
type p2MerkleInstance struct {
	params *p2bn.Parameters
	leaves []frbn.Element
	root   frbn.Element
}

func (m *p2MerkleInstance) reset() { m.root = frbn.Element{} }

func (m *p2MerkleInstance) run(dev zkaccel.Device, rep *zkaccel.Report) (err error) {
	m.root, err = posbn.MerkleRootPoseidon2(m.params, m.leaves, poseidon.WithDevice(dev), poseidon.WithReport(rep))
	return err
}

func (m *p2MerkleInstance) digest() []byte { return rawbytes.Of([]frbn.Element{m.root}) }
