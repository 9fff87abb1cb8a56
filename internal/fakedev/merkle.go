package fakedev

import (
	"fmt"

	"github.com/zkaccel/zkaccel"
)

// Merkle implements zkaccel.MerkleDevice: Loopback builds the trees
// [LoopbackMerkle] knows; every other device of fakedev.go (Unsupported,
// Failing, New) reports zkaccel.ErrUnsupported.
func (d *device) Merkle(req *zkaccel.MerkleRequest) error {
	if req == nil {
		return fmt.Errorf("zkaccel/fake: merkle: nil request")
	}
	if d != Loopback.(*device) {
		return unsupported("merkle %s: %v builds no Merkle trees", req.Hash, d)
	}
	return LoopbackMerkle(req)
}

// LoopbackMerkle builds req's tree as a device would, with the CPU
// implementation of its hash's front end, and writes every layer above the
// leaves into req.Out, bottom-up. A hash it does not build is reported as
// zkaccel.ErrUnsupported; a malformed request is an error.
//
// Each hash has its branch here, implemented in the file of its front
// end's fake operations.
func LoopbackMerkle(req *zkaccel.MerkleRequest) error {
	switch req.Hash {
	case zkaccel.MerkleKeccak256:
		return LoopbackMerkleKeccak256(req) // keccak.go
	case zkaccel.MerklePoseidon2BN254:
		return LoopbackMerklePoseidon2(req) // poseidon2.go
	case zkaccel.MerklePoseidonCircomBN254:
		return LoopbackMerkleCircom(req) // poseidon_circom.go
	}
	return unsupported("merkle %s: unknown hash", req.Hash)
}
