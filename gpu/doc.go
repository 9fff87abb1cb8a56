// Package gpu holds zkaccel's device algorithms, written once for any GPU
// runtime: the device source (field arithmetic, curve arithmetic, MSM, NTT,
// PLONK's and Groth16's quotients, Poseidon, Poseidon2, Keccak) in a C
// dialect that compiles both as OpenCL C and as CUDA C++, and the host
// schedule that drives it (Pippenger phases, NTT passes, Merkle layers)
// over the small [Runtime] interface that the opencl and cuda packages
// implement.
//
// A backend wraps each of its runtimes in a [Device], which implements every
// request interface of package zkaccel (MSMDevice, MSMBatchDevice,
// NTTDevice, PlonkDevice, Groth16Device, Groth16MSMDevice, PoseidonDevice,
// KeccakDevice, MerkleDevice) and returns an
// error wrapping zkaccel.ErrUnsupported, before touching any output, for
// what it does not run.
//
// # Device memory
//
// A call plans for the device's memory less what outlives calls (resident
// points and polynomials, kept values, cached NTT tables): an MSM splits
// into passes that fit it, two at a time (one computing while the next
// one's data arrive), and a call that would not fit even so (an MSM pass
// of one point, a quotient's vectors) declines with zkaccel.ErrUnsupported
// before any work, so that the caller falls back visibly rather than
// failing halfway. LoadPoints keeps points while the resident data stay
// within half of the device's memory and the device has room (an
// allocation that fails for want of it wraps [ErrOutOfMemory]); beyond
// that it declines, and the caller keeps those points in host memory. The
// hash batches (Keccak-256, Keccak-f[1600], Poseidon, Poseidon2) run in as
// many calls as half of the memory left needs; a Merkle tree, one buffer,
// declines where it does not fit.
//
// # Device source
//
// The files in src/ are composed by [Source]: src/common.h first (the
// portability header: KERNEL, GLOBAL, LOCAL, barriers, thread indices, the
// 64×64→128-bit multiply), then the field instantiations a program needs,
// then the op's kernels. A field file is a template: every identifier that
// starts with FLD is renamed for the instance (FLD_mul → fr_mul), and the
// field's constants are generated from its modulus on the host, so no
// constant table is written by hand.
package gpu
