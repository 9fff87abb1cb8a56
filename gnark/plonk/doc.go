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
// of the quotient and the two opening proofs go through zkaccel's MSM
// front end. The commitment to the linearised polynomial is no MSM of n
// points, as in gnark's prover, but the sum of its terms' commitments
// (those of the proof and of the verifying key) by their coefficients, as
// gnark's verifier computes it: the same point, for an MSM of about ten
// points on the host. A proof thus makes nine MSMs of about n points
// (and one per BSB22 commitment) where gnark's makes ten. The quotient H runs whole on a device
// that computes it (zkaccel.PlonkDevice: CUDA and OpenCL), from the values
// of the proof's polynomials (L, R, O, Z, Qk, the Piᵢ) to H's
// coefficients: their interpolation, the NTTs onto the four cosets, the
// pointwise evaluation of the constraints and the interpolation of H, with
// one upload of each polynomial and one download of H and of the
// coefficients, which the openings need. Where the device keeps
// them (zkaccel.ResidentPlonkDevice), a [Prover] loads each circuit's fixed
// polynomials (selectors, permutation, commitment selectors) once, already
// evaluated on the quotient's cosets, with σ's values for the ratio, and
// every later proof on that device reuses them; [Prover.Close] frees them.
// The copy constraint's ratio runs there too (zkaccel.PlonkRatioDevice), and
// leaves the proof's wires and Z on the device for the quotient, which
// reads them there ([EnvKeep]). The quotient then leaves H's coefficients
// and those of the proof's polynomials on the device, and the openings run
// there too (zkaccel.PlonkOpenDevice, [EnvOpen]): one call for the values
// at ζ and ωζ, one for the batch opening's and Z's opening proofs (the
// combinations, the divisions by X − a and their MSMs), from those
// coefficients and the circuit's, which the prover loads with its fixed
// polynomials; the host only binds the transcript and computes the
// linearised polynomial's coefficients, and H and the coefficients stay on
// the device (read back only where the device declines the openings). On
// other devices it runs
// on the CPU, its NTTs (the interpolations too) through the NTT front end,
// and the report marks the phase "quotient" as a fallback. The rest (the
// solver, the copy constraint's ratio off the GPUs, the evaluations at ζ, the
// linearised polynomial, the openings' divisions by X − a, on every core)
// runs on the CPU, beside the device's MSMs where it can: Z's opening runs
// beside the linearised polynomial and the batch opening, and the MSMs of
// L, R, O and of H's three shards are issued together: concurrently on the
// CPU, as one call each on a GPU device (zkaccel.MSMBatchDevice), every
// MSM's scalars going up while the one before computes.
//
// A proof during which a GPU faulted or was reset fails with an error
// wrapping zkaccel.ErrDeviceReset: the device's runtime has reset it, so
// the proof can be retried at once; a Prover loads its key and the
// circuit's fixed polynomials again by itself ([WithResetRetries] makes
// Prove retry by itself, keeping the solved witness where it can). Every
// other device error is returned as it is.
// (zkaccel.ResetDevice counts a device's resets, for a service's health
// metrics.)
//
// The prover computes what gnark v0.16's computes and binds the same
// Fiat-Shamir transcript; it is written here, not copied. It draws its
// blinding from crypto/rand, so two proofs of one statement differ; both
// verify. It draws them in gnark's order (the quotient's randomizers under
// statistical zero knowledge, the commitments' blinding as the solver
// meets them, then L, R, O and Z's), so from the same random bytes its
// proof is gnark's, byte for byte, on every device; the tests compare the
// proofs' encodings. (With BSB22 commitments gnark's own order is not
// fixed, the solver and another goroutine drawing at once, so those tests
// give every random value the same value.)
package plonk

//go:generate go run ../internal/gen
