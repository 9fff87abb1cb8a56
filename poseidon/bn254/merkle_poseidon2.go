package bn254

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
	"github.com/zkaccel/zkaccel/internal/merkle"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
)

// merklePoseidon2Op names the Poseidon2 Merkle tree in errors and reports.
const merklePoseidon2Op = "merkle poseidon2-bn254"

// MerkleTreePoseidon2 builds the binary Merkle tree over leaves whose parent
// of nodes l and r is gnark-crypto's Poseidon2 compression with params:
// the permutation of the state [l, r], element 1, plus r — on elements,
// exactly what poseidon2.Permutation.Compress computes on their canonical
// bytes (l.Marshal(), r.Marshal()) for a Permutation with these parameters.
// params.Width must be 2; see [Permute2] for what else params must satisfy.
//
// A leaf count that is not a power of two is padded on the right with zero
// elements up to the next power of two. The result holds every layer,
// bottom-up: layer 0 is the padded leaves (a copy), each next layer half as
// long, the last one the root alone; a single leaf is its own root. leaves
// is never modified; an empty leaves is an error. Each level runs as one
// batch of compressions on the device of poseidon.WithDevice (else
// zkaccel.Default()), whole trees on a device that builds them, falling
// back to the CPU where it lacks the operation. Not constant-time.
func MerkleTreePoseidon2(params *poseidon2.Parameters, leaves []fr.Element, opts ...poseidon.Option) ([][]fr.Element, error) {
	layers, _, err := p2Merkle(params, leaves, false, opts)
	return layers, err
}

// MerkleRootPoseidon2 returns the root of the tree [MerkleTreePoseidon2]
// builds, without keeping the layers below it.
func MerkleRootPoseidon2(params *poseidon2.Parameters, leaves []fr.Element, opts ...poseidon.Option) (fr.Element, error) {
	_, root, err := p2Merkle(params, leaves, true, opts)
	return root, err
}

// p2Merkle builds the tree (every layer, or only the root when rootOnly).
func p2Merkle(params *poseidon2.Parameters, leaves []fr.Element, rootOnly bool, opts []poseidon.Option) (layers [][]fr.Element, root fr.Element, err error) {
	cfg := dispatch.Apply(opts)
	in, err := p2Compile(params)
	if err != nil {
		return nil, root, fmt.Errorf("zkaccel: %s: %w", merklePoseidon2Op, err)
	}
	if in.width != 2 {
		return nil, root, fmt.Errorf("zkaccel: %s: width %d: the compression needs width 2", merklePoseidon2Op, in.width)
	}
	if len(leaves) == 0 {
		return nil, root, fmt.Errorf("zkaccel: %s: %w", merklePoseidon2Op, merkle.ErrNoLeaves)
	}
	nbTasks := cfg.NbTasks
	cpu := func() error {
		var scratch []fr.Element
		compress := func(pairs, out []fr.Element) error {
			if scratch == nil {
				scratch = make([]fr.Element, len(pairs))
			}
			in.compressBatch(pairs, out, scratch[:len(pairs)], nbTasks)
			return nil
		}
		var zero fr.Element
		var err error
		if rootOnly {
			root, err = merkle.Root(leaves, zero, compress)
			return err
		}
		layers, err = merkle.Layers(leaves, zero, compress)
		if err == nil {
			root = layers[len(layers)-1][0]
		}
		return err
	}
	accel := func(dev zkaccel.Device) error {
		md, ok := dev.(zkaccel.MerkleDevice)
		if !ok {
			return dispatch.Unsupported(dev, merklePoseidon2Op)
		}
		p := merkle.Padded(len(leaves))
		padded := make([]fr.Element, p)
		copy(padded, leaves)
		// A single leaf is its own root, and Out is empty; the request still
		// goes to the device, so that one lacking the operation says so.
		out := make([]fr.Element, p-1)
		rawbytes.Poison(rawbytes.Of(out))
		req := zkaccel.MerkleRequest{
			Hash: zkaccel.MerklePoseidon2BN254, NodeSize: fr.Bytes, N: p,
			Leaves: rawbytes.Of(padded), Params: rawbytes.Of(in.keys),
			NbFullRounds: in.rf, NbPartialRounds: in.rp,
			Out: rawbytes.Of(out), NbTasks: nbTasks,
		}
		if err := md.Merkle(&req); err != nil {
			return err
		}
		root = padded[0]
		if p > 1 {
			root = out[p-2]
		}
		if !rootOnly {
			layers = [][]fr.Element{padded}
			for w := p / 2; w >= 1; w /= 2 {
				layers, out = append(layers, out[:w:w]), out[w:]
			}
		}
		return nil
	}
	if err := dispatch.Run(&cfg, merklePoseidon2Op, len(leaves), accel, cpu); err != nil {
		return nil, fr.Element{}, err
	}
	return layers, root, nil
}

// compressBatch sets out[i] to the compression of pairs[2i] and
// pairs[2i+1], for every i, with scratch (of len(pairs) elements) for the
// states: out[i] = Permutation([l, r])[1] + r.
func (in *p2Instance) compressBatch(pairs, out, scratch []fr.Element, nbTasks int) {
	copy(scratch, pairs)
	in.permuteBatch(scratch, nbTasks)
	for i := range out {
		out[i].Add(&scratch[2*i+1], &pairs[2*i+1])
	}
}
