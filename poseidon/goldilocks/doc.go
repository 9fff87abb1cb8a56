// Package goldilocks holds the Poseidon-family hash front ends over the
// Goldilocks field (p = 2^64 − 2^32 + 1), on gnark-crypto's
// goldilocks.Element (Montgomery form):
//
//   - Polygon Hermez's Poseidon (width 12: 8 inputs and 4 capacity elements
//     in, 4 elements out; 8 full and 22 partial rounds; S-box x^7), the hash
//     of the Polygon zkEVM prover: [HashHermez], [HashHermezBatch] and the
//     bare permutation [PermuteHermez]. Results equal those of
//     0xPolygonHermez/goldilocks and of go-iden3-crypto's goldenposeidon
//     bit for bit.
//   - Poseidon2 permutations in place with gnark-crypto's parameters
//     (poseidon2.Parameters, widths 8 and 12): [Permute2]. Hermez's hash is
//     Poseidon, not Poseidon2.
//
// The batch functions run on the device of poseidon.WithDevice, else on
// zkaccel.Default(), and fall back to the CPU, visibly (poseidon.WithReport),
// only where that device lacks the operation; on the CPU a batch is split
// over the available cores (poseidon.WithNbTasks).
//
// Nothing in this package is constant-time: every function's running time
// may depend on its inputs. Do not hash secrets where timing can be
// observed.
package goldilocks
