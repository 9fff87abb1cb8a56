// Package groth16 is a drop-in Groth16 prover for gnark whose MSMs and NTTs
// run through zkaccel, on any device: the CPU (gnark-crypto), a CUDA GPU, an
// OpenCL device. It takes gnark's own constraint system, proving key and
// witness, and returns gnark's own proof, which gnark's groth16.Verify
// accepts:
//
//	// was: proof, err := groth16.Prove(ccs, pk, witness)
//	proof, err := zgroth16.Prove(ccs, pk, witness, zgroth16.WithDevice(dev))
//
// It supports BN254, BLS12-381 and BLS12-377, circuits with BSB22
// commitments (api.Commit, range checks) and gnark's prover options
// (solver options, the hash to the field). Every MSM of the proof — A, B
// in G1 and G2, K, Z, the commitments and their proofs of knowledge — goes
// through zkaccel's MSM front end, with the same CPU fallback and reporting
// rules (see [WithReport]). The quotient H (seven NTTs and a pointwise
// step) runs whole on a device that computes it (zkaccel.Groth16Device:
// CUDA and OpenCL), with one upload of each of A, B, C; on other devices
// its NTTs go through the NTT front end one by one and the report marks
// the phase "ntt" as a fallback. On a GPU device
// (zkaccel.Groth16MSMDevice) the quotient and the five MSMs of K, Z, A, B
// (G1 and G2), with the commitments' proofs of knowledge, go as one call:
// K's scalars go up while the quotient computes, each later MSM's while the one before computes, and Z's MSM
// reads H where the quotient left it, so H never crosses the bus; the
// report then gives the call's time to "ntt" and to each of those MSMs.
// Where the device declines that call it runs as two: H, then the MSMs
// as one batch (zkaccel.MSMBatchDevice).
//
// [NewProver] keeps what a proving key derives once and proves many
// witnesses with it, the way production provers run.
//
// A proof during which a GPU faulted or was reset fails with an error
// wrapping zkaccel.ErrDeviceReset: the device's runtime has reset it, so
// the proof can be retried at once; a Prover loads its key again by
// itself. [WithResetRetries] makes Prove retry by itself, keeping the
// solved witness where it can. Every other device error is returned as it is, and nothing falls
// back to the CPU without the report saying so.
// (zkaccel.ResetDevice counts a device's resets, for a service's health
// metrics.)
//
// The prover follows gnark v0.16's algorithm step for step; it is written
// here, not copied. Like gnark's, it draws its blinding scalars from
// crypto/rand, so two proofs of one statement differ; both verify. It
// draws them as gnark does (r, then s, after solving), so from the same
// random bytes its proof is gnark's, byte for byte, on every device: the
// tests prove each witness with both provers from one seeded
// crypto/rand.Reader and compare the proofs' encodings.
package groth16

//go:generate go run ../internal/gen
