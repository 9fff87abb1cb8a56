// Package keccak runs batches of Keccak hashing on any zkaccel device:
// Ethereum's Keccak-256 over many messages ([Sum256Batch]), the bare
// Keccak-f[1600] permutation over many states ([PermuteBatch]), and binary
// Keccak-256 Merkle trees over 32-byte leaves ([MerkleTree], [MerkleRoot]).
//
// Keccak-256 here is the original Keccak submission's hash as Ethereum uses
// it (keccak256 in Solidity, crypto.Keccak256 in go-ethereum): rate 1088
// bits, capacity 512, padding pad10*1 with no domain bits (the byte 0x01
// after the message). It is not FIPS 202's SHA3-256, which pads with 0x06
// and gives different digests; the two share the permutation. Results equal
// golang.org/x/crypto/sha3.NewLegacyKeccak256's, bit for bit, for every
// message length.
//
// Merkle trees: parent = Keccak-256(left ‖ right) over 32-byte nodes; a leaf
// count that is not a power of two is padded on the right with zero leaves
// (32 zero bytes) up to the next power of two, as every zkaccel Merkle tree
// is; a single leaf is its own root; no leaves is an error.
//
// Every call runs on the device chosen by [WithDevice], else on
// zkaccel.Default(), and falls back to the CPU (visibly, in the call's
// [WithReport]) where that device lacks the operation. The CPU
// implementation is this package's own Keccak-f[1600] (f1600.go, generated
// by gen_f1600.go from the FIPS 202 description), on all cores by default
// ([WithNbTasks] bounds it).
//
// Nothing in this package is constant-time: it is meant for public data
// (commitments, Merkle trees, transcripts), not for secrets.
package keccak
