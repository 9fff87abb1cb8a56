package keccak

// Permute is the package's Keccak-f[1600] on one state, for the external
// tests' benchmarks (the reference arm of BenchmarkPermuteBatch).
var Permute = permute
