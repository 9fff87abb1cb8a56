// Package fpga is zkaccel's FPGA backend: it opens a vendor's driver
// library, which implements the C ABI of include/zkaccel_fpga.h, and
// registers the driver's devices with zkaccel as the "fpga" device kind
// (fpga:0, fpga:1, …). Import it for its side effect, or import
// github.com/zkaccel/zkaccel/backends.
//
// # Drivers
//
// The environment variable ZKACCEL_FPGA_DRIVER names the driver library (a
// path, or a name the dynamic linker finds). On the first zkaccel.Devices or
// Open call the package opens it with dlopen, calls its one exported
// symbol, zkaccel_fpga_driver, checks the ABI version of the table it
// returns, opens every device, and runs a known-answer self-test of every
// operation the device claims (Keccak-f[1600] of the zero state,
// Keccak-256 of "" and "abc", Goldilocks Poseidon2 of one state per width
// against gnark-crypto, two Goldilocks NTTs against gnark-crypto). A device that fails its self-test is not
// handed out: the backend reports why, and zkaccel.Backends shows it.
//
// zkaccel's own reference driver is fpga/sim: zkaccel's RTL (fpga/rtl),
// simulated cycle by cycle with Verilator. Build it with make -C fpga/sim;
// fpga/README.md tells vendors what to implement.
//
// # Operations
//
// A device runs what its capabilities say (Keccak-f[1600] batches,
// Keccak-256 batches, Keccak-256 Merkle trees built layer by layer from
// them, Poseidon2 over Goldilocks, and Goldilocks NTTs; zkaccel's
// Montgomery-form elements are converted to the ABI's canonical ones and
// back); every other operation, and a shape the driver answers with
// ZKACCEL_FPGA_UNSUPPORTED (a width, round count or size its cores do not
// take), returns an error wrapping
// zkaccel.ErrUnsupported, so the front ends run it on the CPU, visibly.
// [Device.Supports] names what a device runs ("keccak",
// "poseidon2/goldilocks", "ntt/goldilocks"), for the conformance suite.
//
// # Cycles and projections
//
// The driver reports the device cycles of every call. For a simulated
// device they are the RTL's simulated cycles: [Device.Cycles] sums them, and
// the throughput they imply at the device's stated clock is a projection,
// which zkaccel's benchmarks label as such.
package fpga
