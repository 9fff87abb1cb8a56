/*
 * zkaccel_fpga.h — the C ABI that an FPGA driver library implements so that
 * zkaccel can run its operations on the driver's devices.
 *
 * A driver is a shared library exporting one symbol, zkaccel_fpga_driver,
 * that returns a pointer to a static, immutable table of function pointers
 * (struct zkaccel_fpga_api). zkaccel opens the library named by the
 * environment variable ZKACCEL_FPGA_DRIVER with dlopen, checks the table's
 * ABI version, runs a known-answer self-test of every operation the device
 * claims, and registers the devices as fpga:0, fpga:1, …
 *
 * Rules of the ABI:
 *  - Plain C: no C++ exceptions, no longjmp, across it. Every function
 *    returns 0 on success, or a nonzero code and a NUL-terminated message in
 *    err, a buffer of errlen bytes owned by the caller (errlen >= 256).
 *  - Integers and lanes are little-endian, as on the hosts zkaccel supports
 *    (x86-64, arm64). Field elements are in the layouts the operation says.
 *  - An operation the device does not run is a NULL pointer in the table,
 *    and its capability bit is clear. zkaccel runs it on the CPU instead.
 *  - Calls on one device are serialised by zkaccel; calls on different
 *    devices may come from different threads at once.
 *  - Each operation reports the device cycles it took in *cycles (0 when the
 *    device cannot count them); a simulated device reports simulated
 *    cycles, and zkaccel labels every figure derived from them as projected.
 *  - The table may grow at its end in later versions (struct_size says how
 *    large the driver's is); a change of meaning bumps abi_version.
 */
#ifndef ZKACCEL_FPGA_H
#define ZKACCEL_FPGA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZKACCEL_FPGA_ABI_VERSION 1u

/* Capability bits of zkaccel_fpga_info.capabilities. */
#define ZKACCEL_FPGA_CAP_KECCAK_F1600 (1ull << 0) /* keccak_f1600 */
#define ZKACCEL_FPGA_CAP_KECCAK256 (1ull << 1)    /* keccak256 */

/* What a device says of itself. */
typedef struct zkaccel_fpga_info {
	char name[64];          /* NUL-terminated, e.g. "Alveo U55C: keccak x8" */
	uint64_t capabilities;  /* ZKACCEL_FPGA_CAP_* bits */
	uint64_t clock_hz;      /* the clock that the cycle counts refer to */
	uint32_t simulated;     /* 1 for a simulation: its timings are projections */
	uint32_t cores;         /* parallel cores of the operations (at least 1) */
} zkaccel_fpga_info;

typedef struct zkaccel_fpga_api {
	uint32_t abi_version; /* ZKACCEL_FPGA_ABI_VERSION */
	uint32_t struct_size; /* sizeof(zkaccel_fpga_api) as the driver was built */

	/* The number of devices the driver sees, in *count. */
	int (*device_count)(int *count, char *err, size_t errlen);
	/* Opens device ordinal (0 … count-1); *dev is its handle. */
	int (*open)(int ordinal, void **dev, char *err, size_t errlen);
	/* Closes a handle from open. */
	void (*close)(void *dev);
	/* Describes the device. */
	int (*info)(void *dev, zkaccel_fpga_info *info, char *err, size_t errlen);

	/*
	 * Keccak-f[1600] (FIPS 202 Keccak-p[1600, 24]) of n states in place:
	 * state i is states[25i … 25i+24], lane (x, y) at index x + 5y.
	 */
	int (*keccak_f1600)(void *dev, uint64_t *states, size_t n, uint64_t *cycles, char *err, size_t errlen);

	/*
	 * Keccak-256 (Keccak's original padding 0x01 … 0x80, rate 136 bytes, as
	 * Ethereum uses it) of n messages: message i is data[offsets[i] …
	 * offsets[i+1]-1] (offsets has n+1 entries, non-decreasing); its digest
	 * goes to out[32i … 32i+31].
	 */
	int (*keccak256)(void *dev, const uint8_t *data, const uint64_t *offsets, size_t n, uint8_t *out,
			uint64_t *cycles, char *err, size_t errlen);
} zkaccel_fpga_api;

/* The one symbol a driver exports. */
const zkaccel_fpga_api *zkaccel_fpga_driver(void);

#ifdef __cplusplus
}
#endif

#endif /* ZKACCEL_FPGA_H */
