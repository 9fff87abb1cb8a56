// Package koalabear holds the Poseidon2 front end over the KoalaBear field
// (p = 2^31 − 2^24 + 1), on gnark-crypto's koalabear.Element (Montgomery
// form): [Permute2] applies gnark-crypto's Poseidon2 permutation
// (field/koalabear/poseidon2), as a poseidon2.Parameters value describes it,
// to a batch of states in place, bit for bit as gnark-crypto's
// Permutation computes it.
//
// The batch runs on the device of poseidon.WithDevice, else on
// zkaccel.Default(), and falls back to the CPU, visibly
// (poseidon.WithReport), only where that device lacks the operation; on the
// CPU a batch is split over the available cores (poseidon.WithNbTasks) and,
// on processors with AVX-512, permuted many states at a time with
// gnark-crypto's vector arithmetic (or its own AVX-512 batch routine, where
// it has one for the parameters given).
//
// Nothing in this package is constant-time: every function's running time
// may depend on its inputs. Do not hash secrets where timing can be
// observed.
package koalabear
