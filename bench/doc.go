// Package bench measures zkaccel's front ends on devices and records what it
// measured in a form that machines and people can read.
//
// [Run] times each chosen operation (MSM on a curve, NTT on a field, and the
// hash batches: Poseidon, Poseidon2 and Keccak on their targets, see [Ops])
// at each chosen size on each chosen device, and always on the CPU in the
// same run, so that a speed-up is a ratio of two numbers taken minutes apart
// on the same machine. Each measurement is one warm-up call followed by timed calls;
// the warm-up's output is compared with the CPU's, so that a fast wrong answer
// is reported as an error rather than as a speed-up. The front end's
// [zkaccel.Report] tells whether the device ran each call or fell back to the
// CPU, and the result records it.
//
// Results are a [File], whose JSON form (with a schema version, see
// [SchemaVersion]) also records the machine, the devices, the Go version and
// the zkaccel commit. [WriteTable] prints a file as a text table,
// [WriteMarkdown] renders one or more files as Markdown, and the sub-package
// bench/svg draws them as a chart.
//
// The command zkaccel (cmd/zkaccel) is the usual way in: `zkaccel bench`
// and `zkaccel report`.
package bench
