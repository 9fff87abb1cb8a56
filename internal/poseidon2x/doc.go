// Package poseidon2x holds the parts of zkaccel's Poseidon2 front ends
// (poseidon/bn254, goldilocks, babybear and koalabear) that are the same for
// every field, written once and instantiated with the field's types: the
// checks and layout of a poseidon2.Parameters value ([Flatten],
// [Diagonals]), the front-end body that validates a call, builds the device
// request and runs the CPU fallback ([Permute]), the CPU batch driver
// ([Batch]), and the bridge to gnark-crypto's Permutation16x24
// ([Gnark16x24], [To16x24], [From16x24]).
//
// The kernels themselves are not here. Generic code calls a type
// parameter's methods through a dictionary, which keeps small field
// operations from being inlined, and costs an indirect call on each
// field.Vector operation of the batched kernel (measured in a paired
// benchmark: 0.5 to 2% slower for BabyBear and KoalaBear). Each field package has its own kernels,
// generated from one template by internal/generator/poseidon2
// (poseidon2_kernel.go), and hands them to [Permute] and [Batch] as
// interface values ([Instance], [Kernels], [Lanes]): what runs here runs
// once per call, per goroutine or per block of states, and allocates no
// more than the code it replaced.
package poseidon2x
