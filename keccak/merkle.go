package keccak

import (
	"fmt"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
	"github.com/zkaccel/zkaccel/internal/merkle"
	"github.com/zkaccel/zkaccel/internal/parallel"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// MerkleTree builds the binary Keccak-256 Merkle tree over 32-byte leaves and
// returns all its layers, bottom-up: layers[0] is the leaves, padded, then
// each layer's nodes are the parents of the pairs of the layer below,
//
//	layers[k+1][i] = Keccak-256(layers[k][2i] ‖ layers[k][2i+1]),
//
// and the last layer is the root alone. A leaf count that is not a power of
// two is padded on the right with zero leaves (32 zero bytes) up to the next
// power of two, so the tree of leaves [a, b, c] is the tree of [a, b, c, 0];
// a single leaf is its own root. No leaves is an error. The leaves are not
// modified; every layer, the first included, is freshly allocated.
//
// It runs on the device of WithDevice, else on zkaccel.Default(), and falls
// back to the CPU where that device lacks the operation. On the CPU each
// layer is one batch over up to WithNbTasks goroutines. Not constant-time.
func MerkleTree(leaves [][32]byte, opts ...Option) ([][][32]byte, error) {
	cfg := dispatch.Apply(opts)
	if len(leaves) == 0 {
		return nil, fmt.Errorf("zkaccel: %s: %w", opMerkle, merkle.ErrNoLeaves)
	}
	nbTasks := cfg.NbTasks
	var layers [][][32]byte
	cpu := func() error {
		var err error
		layers, err = merkle.Layers(leaves, [32]byte{}, compress(nbTasks))
		return err
	}
	accel := func(dev zkaccel.Device) error {
		padded, above, err := merkleOnDevice(dev, leaves, nbTasks)
		if err != nil {
			return err
		}
		layers = [][][32]byte{padded}
		for w := len(padded) / 2; w >= 1; w /= 2 {
			layers = append(layers, above[:w:w])
			above = above[w:]
		}
		return nil
	}
	if err := dispatch.Run(&cfg, opMerkle, len(leaves), accel, cpu); err != nil {
		return nil, err
	}
	return layers, nil
}

// MerkleRoot returns the root of the tree [MerkleTree] builds over leaves
// (the same padding, the same errors); on the CPU it keeps no layer but the
// one being built and the one below it.
func MerkleRoot(leaves [][32]byte, opts ...Option) ([32]byte, error) {
	cfg := dispatch.Apply(opts)
	if len(leaves) == 0 {
		return [32]byte{}, fmt.Errorf("zkaccel: %s: %w", opMerkle, merkle.ErrNoLeaves)
	}
	nbTasks := cfg.NbTasks
	var root [32]byte
	cpu := func() error {
		var err error
		root, err = merkle.Root(leaves, [32]byte{}, compress(nbTasks))
		return err
	}
	accel := func(dev zkaccel.Device) error {
		padded, above, err := merkleOnDevice(dev, leaves, nbTasks)
		if err != nil {
			return err
		}
		if len(above) == 0 {
			root = padded[0]
		} else {
			root = above[len(above)-1]
		}
		return nil
	}
	if err := dispatch.Run(&cfg, opMerkle, len(leaves), accel, cpu); err != nil {
		return [32]byte{}, err
	}
	return root, nil
}

// compress returns the 2-to-1 compression of a whole tree level for
// internal/merkle: out[i] = Keccak-256(pairs[2i] ‖ pairs[2i+1]), one batch
// on up to nbTasks goroutines.
func compress(nbTasks int) func(pairs, out [][32]byte) error {
	return func(pairs, out [][32]byte) error {
		parallel.Execute(len(out), nbTasks, minWork, func(start, end int) {
			for i := start; i < end; i++ {
				out[i] = sumPair(&pairs[2*i], &pairs[2*i+1])
			}
		})
		return nil
	}
}

// merkleOnDevice builds the tree over leaves on dev: it pads a copy of the
// leaves to N, a power of two, and sends one zkaccel.MerkleRequest for the
// whole tree. It returns the padded leaves and the N−1 nodes above them,
// layer after layer, bottom-up (N/2 nodes, then N/4, …, then the root).
func merkleOnDevice(dev zkaccel.Device, leaves [][32]byte, nbTasks int) (padded, above [][32]byte, err error) {
	md, ok := dev.(zkaccel.MerkleDevice)
	if !ok {
		return nil, nil, dispatch.Unsupported(dev, opMerkle)
	}
	n := merkle.Padded(len(leaves))
	padded = make([][32]byte, n)
	copy(padded, leaves)
	above = make([][32]byte, n-1)
	out := rawbytes.Of(above)
	rawbytes.Poison(out)
	req := zkaccel.MerkleRequest{
		Hash: zkaccel.MerkleKeccak256, NodeSize: 32, N: n,
		Leaves: rawbytes.Of(padded), Out: out, NbTasks: nbTasks,
	}
	if err := md.Merkle(&req); err != nil {
		return nil, nil, err
	}
	return padded, above, nil
}
