package gpu

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
)

// Merkle trees on the device: the leaves are uploaded once into a buffer
// that holds the whole tree (2N−1 nodes: the leaves, then each layer above
// them), each layer is one launch that reads the layer below it, and the
// layers above the leaves are downloaded into Out in one read, bottom-up, as
// zkaccel.MerkleRequest lays them out. The front ends pad N to a power of
// two.

// merkle runs a zkaccel.MerkleRequest by its hash: Keccak-256, Poseidon2
// over BN254 (width 2, gnark-crypto's compression) or circom's Poseidon over
// BN254. Another hash is zkaccel.ErrUnsupported; a malformed request is an
// error, checked as the CPU devices check it.
func (d *Device) merkle(req *zkaccel.MerkleRequest) error {
	if req == nil {
		return d.errorf("merkle", badRequest("nil request"))
	}
	op := "merkle " + string(req.Hash)
	var err error
	switch req.Hash {
	case zkaccel.MerkleKeccak256:
		err = req.CheckKeccak()
	case zkaccel.MerklePoseidon2BN254:
		err = merklePoseidon2Check(req)
	case zkaccel.MerklePoseidonCircomBN254:
		err = merkleCircomCheck(req)
	default:
		return d.unsupported(op, "unknown hash")
	}
	if err != nil {
		return d.errorf(op, err)
	}
	if req.N > maxBatch {
		return d.unsupported(op, "%d leaves", req.N)
	}
	if req.N == 1 {
		return nil // the leaf is the root: no layer above it
	}
	// The whole tree is one buffer: a tree larger than the device's
	// memory for a batch declines, and the CPU builds it.
	tree := uint64(2*req.N-1) * uint64(req.NodeSize)
	if mem, maxAlloc := d.batchBudget(); mem > 0 && tree > mem || maxAlloc > 0 && tree > maxAlloc {
		return d.unsupported(op, "the tree's %s exceed the device's memory left for a batch (%s) or its largest buffer (%s)", bytesStr(tree), bytesStr(mem), bytesStr(maxAlloc))
	}
	return d.errorf(op, d.merkleRun(req))
}

func merklePoseidon2Check(req *zkaccel.MerkleRequest) error {
	rf, rp := req.NbFullRounds, req.NbPartialRounds
	switch {
	case req.NodeSize != fr.Bytes:
		return badRequest("NodeSize = %d, want %d", req.NodeSize, fr.Bytes)
	case !isPow2(req.N):
		return badRequest("N = %d, want a power of two", req.N)
	case rf < 0 || rp < 0 || rf+rp > 1<<12:
		return badRequest("NbFullRounds = %d, NbPartialRounds = %d: out of range", rf, rp)
	}
	if err := checkNbTasks(req.NbTasks); err != nil {
		return badRequest("%v", err)
	}
	info, _ := ScalarField(zkaccel.FieldBN254)
	if err := checkElems(info, "Leaves", req.Leaves, req.N); err != nil {
		return err
	}
	if err := checkElems(info, "Params", req.Params, 2*rf+rp); err != nil {
		return err
	}
	if want := (req.N - 1) * fr.Bytes; len(req.Out) != want {
		return badRequest("Out: %d bytes, want %d (%d nodes)", len(req.Out), want, req.N-1)
	}
	return nil
}

func merkleCircomCheck(req *zkaccel.MerkleRequest) error {
	switch {
	case req.NodeSize != fr.Bytes:
		return badRequest("NodeSize = %d, want %d", req.NodeSize, fr.Bytes)
	case !isPow2(req.N):
		return badRequest("N = %d is not a power of two", req.N)
	case len(req.Params) != 0:
		return badRequest("Params: %d bytes, want none", len(req.Params))
	}
	if err := checkNbTasks(req.NbTasks); err != nil {
		return badRequest("%v", err)
	}
	info, _ := ScalarField(zkaccel.FieldBN254)
	if err := checkElems(info, "Leaves", req.Leaves, req.N); err != nil {
		return err
	}
	if want := (req.N - 1) * fr.Bytes; len(req.Out) != want {
		return badRequest("Out: %d bytes, want %d (%d nodes above the leaves)", len(req.Out), want, req.N-1)
	}
	return nil
}

// merkleRun builds a checked tree of N ≥ 2 leaves.
func (d *Device) merkleRun(req *zkaccel.MerkleRequest) error {
	// layer launches one layer of n nodes at node index dst from the layer
	// at node index src; the Keccak kernel takes them in lanes (4 a node),
	// the Poseidon kernels in elements (1 a node).
	var layer func(src, dst, n int) error
	s := d.scratch()
	defer s.free()
	tree, err := s.alloc((2*req.N - 1) * req.NodeSize)
	if err != nil {
		return err
	}
	switch req.Hash {
	case zkaccel.MerkleKeccak256:
		k, err := d.keccakProgram()
		if err != nil {
			return err
		}
		layer = func(src, dst, n int) error {
			return d.launch1D(k.merkle, n, tree, uint64(4*src), uint64(4*dst), uint32(n))
		}
	case zkaccel.MerklePoseidon2BN254:
		k, err := d.poseidon2Program(zkaccel.FieldBN254)
		if err != nil {
			return err
		}
		params, err := d.p2Params(zkaccel.FieldBN254, req.Params, p2FixedDiag(2))
		if err != nil {
			return err
		}
		rf, rp := uint32(req.NbFullRounds), uint32(req.NbPartialRounds)
		layer = func(src, dst, n int) error {
			return d.launch1D(k.merkle, n, tree, params.keys, params.diag, rf, rp, uint64(src), uint64(dst), uint32(n))
		}
	case zkaccel.MerklePoseidonCircomBN254:
		k, err := d.circomProgram()
		if err != nil {
			return err
		}
		consts, rp, err := d.circomConsts(3)
		if err != nil {
			return err
		}
		layer = func(src, dst, n int) error {
			return d.launch1D(k.merkle, n, tree, consts, uint32(rp), uint64(src), uint64(dst), uint32(n))
		}
	default:
		return fmt.Errorf("no tree for hash %q", req.Hash)
	}
	if err := d.rt.Write(tree, 0, req.Leaves); err != nil {
		return fmt.Errorf("uploading the leaves: %w", err)
	}
	src := 0
	for n := req.N / 2; n >= 1; n /= 2 {
		dst := src + 2*n
		if err := layer(src, dst, n); err != nil {
			return fmt.Errorf("layer of %d nodes: %w", n, err)
		}
		src = dst
	}
	if err := d.rt.Read(req.Out, tree, req.N*req.NodeSize); err != nil {
		return fmt.Errorf("reading the layers: %w", err)
	}
	return nil
}
