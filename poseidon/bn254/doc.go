// Package bn254 holds the Poseidon-family hash front ends over BN254's
// scalar field Fr, on gnark-crypto's fr.Element:
//
//   - circomlib's Poseidon ([Poseidon], [PoseidonBatch]) and the binary
//     Merkle tree it compresses ([MerkleTreeCircom], [MerkleRootCircom]),
//     bit for bit the hash of circomlib's Poseidon(n) template, circomlibjs
//     and go-iden3-crypto;
//   - the Poseidon2 permutation with gnark-crypto's parameters ([Permute2])
//     and the Merkle tree of its compression ([MerkleTreePoseidon2],
//     [MerkleRootPoseidon2]).
//
// Batches and trees run on the device of poseidon.WithDevice, else on
// zkaccel.Default(), and fall back to the CPU, using every core, where the
// device lacks the operation (see the zkaccel package for devices and
// zkaccel.Report for what happened to a call). A single hash always runs on
// the calling goroutine.
//
// Circom Poseidon's constants are not embedded: each width's round
// constants and MDS matrix are generated, on the first hash of that width,
// with the Grain LFSR procedure of the Poseidon reference implementation
// (eprint 2019/458), as circomlib generated them; the tests check them
// against the constants go-iden3-crypto embeds, and the hashes against
// circomlib's and go-iden3-crypto's known answers.
//
// Nothing here is constant-time: do not hash secrets where timing can be
// observed.
package bn254
