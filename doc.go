// Package zkaccel runs the hot kernels of zero-knowledge provers — multi-scalar
// multiplication (MSM) and number-theoretic transforms (NTT) today, Poseidon and
// Keccak next — on whatever device is present: the CPU through gnark-crypto,
// and CUDA GPUs, OpenCL devices and FPGAs through backends that register
// themselves with this package.
//
// This package holds the devices: [Kind], [Device], [Devices], [Open],
// [Default], the [Register] hook that backends use, the sentinel errors
// [ErrUnsupported] and [ErrNoDevice], and the request types ([MSMRequest],
// [NTTRequest]) through which front ends hand work to a device backend. The
// front ends live in sub-packages, one per curve or field, and take
// gnark-crypto's own types:
//
//	msm/bn254, msm/bls12-381, msm/bls12-377            MultiExpG1, MultiExpG2
//	ntt/bn254, ntt/bls12-381, ntt/bls12-377,
//	ntt/goldilocks, ntt/babybear, ntt/koalabear        FFT, FFTInverse
//
// # Contract
//
// Every front end returns exactly what the gnark-crypto call it replaces
// returns, on every device. A device that lacks an operation (or a curve, or a
// size) reports [ErrUnsupported]; the front end then runs the operation on the
// CPU and says so in the [Report] (see the front ends' WithReport options) and,
// when ZKACCEL_DEBUG is set, on standard error. Any other device error is
// returned to the caller; nothing is silently recomputed.
//
// # Choosing a device
//
// Each front end takes a WithDevice option. Without it, the call uses
// [Default]: the device named by the ZKACCEL_DEVICE environment variable
// ("cpu", "cuda", "cuda:1", "opencl:0", "fpga:0"), or else an automatic choice
// that never runs a call on a device measured slower than the CPU at its
// size: the first device with [Crossovers], measured on this machine
// (`zkaccel tune`) or else shipped with zkaccel for its model
// ([ShippedCrossovers]), from each operation's crossover size on, and the
// CPU otherwise (see [LookupDefault]).
//
// # Security
//
// Nothing in zkaccel is constant-time. Every operation's running time depends
// on its inputs (scalars, field elements, messages). Do not use it on secrets
// that must not leak through timing.
package zkaccel
