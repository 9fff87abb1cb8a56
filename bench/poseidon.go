package bench

import (
	"crypto/sha256"
	"math/rand"

	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
	posbn "github.com/zkaccel/zkaccel/poseidon/bn254"
	posgl "github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// poseidonWorkloads returns the fixed-constant Poseidon workloads, on
// uniform field elements:
//
//   - bn254 circom-2: bn254.PoseidonBatch of 2^k inputs of two elements
//     (circomlib's Poseidon(2), width 3, the hash of its Merkle trees);
//   - goldilocks hermez: goldilocks.HashHermezBatch of 2^k inputs of 12
//     elements (8 in, 4 capacity).
func poseidonWorkloads() []*workload {
	return []*workload{
		{op: OpPoseidon, target: string(zkaccel.FieldBN254), variant: "circom-2", field: zkaccel.FieldBN254,
			items: perItem, check: anySize,
			prepare: func(rng *rand.Rand, logN int) instance {
				n := 1 << logN
				flat := inputs.Elements[frbn.Element](rng, 2*n)
				in := make([][]frbn.Element, n)
				for i := range in {
					in[i] = flat[2*i : 2*i+2 : 2*i+2]
				}
				return &circomInstance{inputs: in}
			}},
		{op: OpPoseidon, target: string(zkaccel.FieldGoldilocks), variant: "hermez", field: zkaccel.FieldGoldilocks,
			items: perItem, check: anySize,
			prepare: func(rng *rand.Rand, logN int) instance {
				n := 1 << logN
				flat := inputs.Elements[goldilocks.Element](rng, 12*n)
				in := make([][12]goldilocks.Element, n)
				for i := range in {
					in[i] = [12]goldilocks.Element(flat[12*i : 12*i+12])
				}
				return &hermezInstance{inputs: in}
			}},
	}
}

// circomInstance is one circom Poseidon batch: its inputs and hashes.
type circomInstance struct {
	inputs [][]frbn.Element
	out    []frbn.Element
}

func (c *circomInstance) reset() { c.out = nil }

func (c *circomInstance) run(dev zkaccel.Device, rep *zkaccel.Report) (err error) {
	c.out, err = posbn.PoseidonBatch(c.inputs, poseidon.WithDevice(dev), poseidon.WithReport(rep))
	return err
}

func (c *circomInstance) digest() []byte {
	sum := sha256.Sum256(rawbytes.Of(c.out))
	return sum[:]
}

// hermezInstance is one Hermez Poseidon batch: its inputs and hashes.
type hermezInstance struct {
	inputs [][12]goldilocks.Element
	out    [][4]goldilocks.Element
}

func (h *hermezInstance) reset() { h.out = nil }

func (h *hermezInstance) run(dev zkaccel.Device, rep *zkaccel.Report) (err error) {
	h.out, err = posgl.HashHermezBatch(h.inputs, poseidon.WithDevice(dev), poseidon.WithReport(rep))
	return err
}

func (h *hermezInstance) digest() []byte {
	sum := sha256.Sum256(rawbytes.Of(h.out))
	return sum[:]
}
