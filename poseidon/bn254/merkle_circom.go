package bn254

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
	"github.com/zkaccel/zkaccel/internal/merkle"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
)

// opMerkleCircom names the circom Poseidon Merkle tree in errors and reports.
const opMerkleCircom = "poseidon circom bn254 merkle"

// MerkleTreeCircom builds the binary Merkle tree over leaves whose parent
// nodes are circomlib's Poseidon(left, right) (see [Poseidon]), and returns
// every layer: layer 0 is the leaves, padded on the right with the element 0
// up to a power of two; layer k has half the nodes of layer k−1; the last
// layer is the root alone (a single leaf is its own root). leaves must not
// be empty; it is not modified.
//
// It runs on the device of poseidon.WithDevice, else on zkaccel.Default(),
// as one zkaccel.MerkleRequest (hash zkaccel.MerklePoseidonCircomBN254),
// and falls back to the CPU where that device lacks it; on the CPU each
// level is one batch of compressions split over poseidon.WithNbTasks
// goroutines (by default one per CPU). Not constant-time.
func MerkleTreeCircom(leaves []fr.Element, opts ...poseidon.Option) ([][]fr.Element, error) {
	var layers [][]fr.Element
	err := merkleCircom(leaves, opts, func(p *circomParams, nbTasks int) (err error) {
		layers, err = merkle.Layers(leaves, fr.Element{}, func(pairs, out []fr.Element) error {
			circomCompress(p, pairs, out, nbTasks)
			return nil
		})
		return err
	}, func(all []fr.Element) {
		layers = circomSplitLayers(all)
	})
	if err != nil {
		return nil, err
	}
	return layers, nil
}

// MerkleRootCircom returns the root of the tree [MerkleTreeCircom] builds,
// with the same options, without keeping the other layers.
func MerkleRootCircom(leaves []fr.Element, opts ...poseidon.Option) (fr.Element, error) {
	var root fr.Element
	err := merkleCircom(leaves, opts, func(p *circomParams, nbTasks int) (err error) {
		root, err = merkle.Root(leaves, fr.Element{}, func(pairs, out []fr.Element) error {
			circomCompress(p, pairs, out, nbTasks)
			return nil
		})
		return err
	}, func(all []fr.Element) {
		root = all[len(all)-1]
	})
	if err != nil {
		return fr.Element{}, err
	}
	return root, nil
}

// merkleCircom is the body of both Merkle front ends: it validates the call
// and dispatches it, building the tree with cpu on the CPU, or on a device
// into one buffer of every layer, bottom-up, which it passes to done.
func merkleCircom(leaves []fr.Element, opts []poseidon.Option, cpu func(p *circomParams, nbTasks int) error, done func(all []fr.Element)) error {
	cfg := dispatch.Apply(opts)
	if len(leaves) == 0 {
		return fmt.Errorf("zkaccel: %s: %w", opMerkleCircom, merkle.ErrNoLeaves)
	}
	if err := cfg.Err(opMerkleCircom); err != nil {
		return err
	}
	p, err := circomParamsFor(3)
	if err != nil {
		return fmt.Errorf("zkaccel: %s: constants of width 3: %w", opMerkleCircom, err)
	}
	n := merkle.Padded(len(leaves))
	nbTasks := cfg.NbTasks
	accel := func(dev zkaccel.Device) error {
		// Every layer, bottom-up, in one buffer: the padded leaves, then
		// the device's output.
		all := make([]fr.Element, 2*n-1)
		copy(all, leaves)
		if n == 1 {
			done(all) // a single leaf is the root; nothing for a device to do
			return nil
		}
		md, ok := dev.(zkaccel.MerkleDevice)
		if !ok {
			return dispatch.Unsupported(dev, opMerkleCircom)
		}
		out := rawbytes.Of(all[n:])
		rawbytes.Poison(out)
		req := zkaccel.MerkleRequest{
			Hash: zkaccel.MerklePoseidonCircomBN254, NodeSize: fr.Bytes, N: n,
			Leaves: rawbytes.Of(all[:n]), Out: out, NbTasks: nbTasks,
		}
		if err := md.Merkle(&req); err != nil {
			return err
		}
		done(all)
		return nil
	}
	return dispatch.Run(&cfg, opMerkleCircom, len(leaves), accel, func() error { return cpu(p, nbTasks) })
}

// circomSplitLayers cuts one buffer of every layer of a tree of n = (len(all)+1)/2
// leaves, bottom-up, into the layers.
func circomSplitLayers(all []fr.Element) [][]fr.Element {
	var layers [][]fr.Element
	for size := (len(all) + 1) / 2; size >= 1; size /= 2 {
		layers = append(layers, all[:size:size])
		all = all[size:]
	}
	return layers
}
