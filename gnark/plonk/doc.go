// Package plonk is a drop-in PLONK prover for gnark whose KZG commitments
// (MSMs) and NTTs run through zkaccel, on any device: the CPU
// (gnark-crypto), a CUDA GPU, an OpenCL device. It takes gnark's own
// constraint system (SparseR1CS), proving key and witness, and returns
// gnark's own proof, which gnark's plonk.Verify accepts:
//
//	// was: proof, err := plonk.Prove(ccs, pk, witness)
//	proof, err := zplonk.Prove(ccs, pk, witness, zplonk.WithDevice(dev))
//
// It supports BN254, BLS12-381 and BLS12-377, circuits with BSB22
// commitments, gnark's prover options (solver options, the hash to the
// field, the challenge and KZG folding hashes, statistical zero knowledge).
// The commitments to L, R, O, Z, the commitments' wires, the three shards
// of the quotient, the linearised polynomial and the two opening proofs go
// through zkaccel's MSM front end, and the inverse NTTs to canonical form
// through its NTT front end. The quotient H runs whole on a device that
// computes it (zkaccel.PlonkDevice: CUDA and OpenCL), from the
// polynomials' coefficients to H's: the NTTs onto the four cosets, the
// pointwise evaluation of the constraints and the interpolation, with one
// upload of each polynomial and one download of H. Where the device keeps
// them (zkaccel.ResidentPlonkDevice), a [Prover] loads each circuit's fixed
// polynomials (selectors, permutation, commitment selectors) once, already
// evaluated on the quotient's cosets, and every later proof on that device
// reuses them; [Prover.Close] frees them. On other devices it runs
// on the CPU, its NTTs through the NTT front end, and the report marks the
// phase "quotient" as a fallback. The rest (the solver, the copy
// constraint's ratio, the evaluations at ζ, the linearised polynomial)
// runs on the CPU, as in gnark.
//
// The prover computes what gnark v0.16's computes and binds the same
// Fiat-Shamir transcript; it is written here, not copied. It draws its
// blinding from crypto/rand, so two proofs of one statement differ; both
// verify.
package plonk

//go:generate go run ../internal/gen
