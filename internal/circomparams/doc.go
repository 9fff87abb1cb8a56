// Package circomparams generates the constants of circomlib's Poseidon over
// BN254's Fr (widths 2 to 17): the plain round constants and Cauchy MDS
// matrix from the Grain LFSR of the Poseidon reference, and the optimized
// form (C, Pre, Sparse) that go-iden3-crypto and circomlibjs run. It is
// shared by the CPU front end (poseidon/bn254) and the GPU device code
// (gpu), which must not import each other; the front end's tests check every
// value against go-iden3-crypto's embedded constants.
package circomparams
