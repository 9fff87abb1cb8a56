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

/*
 * The return code of an operation that the device runs, but not for this
 * request's shape (a width or round count its core does not take): zkaccel
 * runs the request on the CPU instead and reports the fallback. Every other
 * nonzero code is an error.
 */
#define ZKACCEL_FPGA_UNSUPPORTED 2

/* Capability bits of zkaccel_fpga_info.capabilities. */
#define ZKACCEL_FPGA_CAP_KECCAK_F1600 (1ull << 0) /* keccak_f1600 */
#define ZKACCEL_FPGA_CAP_KECCAK256 (1ull << 1)    /* keccak256 */
#define ZKACCEL_FPGA_CAP_POSEIDON2_GOLDILOCKS (1ull << 2) /* poseidon2_goldilocks */
#define ZKACCEL_FPGA_CAP_NTT_GOLDILOCKS (1ull << 3)       /* ntt_goldilocks */

/* The Goldilocks prime, 2^64 - 2^32 + 1. */
#define ZKACCEL_FPGA_GOLDILOCKS_P 0xFFFFFFFF00000001ull

/*
 * A Poseidon2 parameter set (eprint 2023/323, as gnark-crypto's poseidon2
 * packages define it): width t, rf full and rp partial rounds, and
 *   round_keys  rf*t + rp field elements, round after round: t for each of
 *               the first rf/2 (rounded down) full rounds, one for each
 *               partial round, t for each remaining full round;
 *   diag_m1     t field elements: the internal matrix is 1 + diag(diag_m1),
 *               that is s_i <- diag_m1[i]*s_i + sum_j s_j.
 * A permutation is s <- M_E*s, then the rounds in order; a full round sets
 * s_i <- (s_i + k_i)^d for every i and then s <- M_E*s, a partial round
 * s_0 <- (s_0 + k)^d and then the internal matrix. M_E is
 * circ(2*M4, M4, ..., M4) over blocks of 4, with HorizenLabs' M4 =
 * [[5 7 1 3] [4 6 1 1] [1 3 5 7] [1 1 4 6]] for Goldilocks.
 * Field elements are canonical (0 <= x < p) little-endian uint64 words.
 */
typedef struct zkaccel_fpga_poseidon2_params {
	uint32_t width;            /* t */
	uint32_t full_rounds;      /* rf */
	uint32_t partial_rounds;   /* rp */
	uint32_t reserved;         /* 0 */
	const uint64_t *round_keys; /* rf*t + rp elements */
	const uint64_t *diag_m1;    /* t elements */
} zkaccel_fpga_poseidon2_params;

/* Flags of zkaccel_fpga_ntt_params. */
#define ZKACCEL_FPGA_NTT_INVERSE (1u << 0) /* FFTInverse rather than FFT */
#define ZKACCEL_FPGA_NTT_DIT (1u << 1)     /* decimation in time rather than in frequency */
#define ZKACCEL_FPGA_NTT_COSET (1u << 2)   /* on the coset shift*<omega> */

/*
 * An NTT over a domain of n = 2^log_n elements, exactly as gnark-crypto's
 * fft.Domain computes FFT (forward) and FFTInverse (ZKACCEL_FPGA_NTT_INVERSE):
 *   forward:  out_k = sum_j a_j (c*omega^k)^j, c = coset_shift with
 *             ZKACCEL_FPGA_NTT_COSET, else 1;
 *   inverse:  out_j = cardinality_inv * c^j * sum_k a_k root^(jk), with
 *             root = omega^-1 and c = coset_shift (the coset's shift
 *             inverted by the caller) or 1.
 * root is the stage root: omega (forward) or omega^-1 (inverse), a
 * primitive n-th root of unity. Decimation in frequency (the default)
 * reads natural order and writes bit-reversed order; decimation in time
 * (ZKACCEL_FPGA_NTT_DIT) reads bit-reversed order and writes natural order.
 * All values are canonical Goldilocks elements.
 */
typedef struct zkaccel_fpga_ntt_params {
	uint32_t log_n;
	uint32_t flags;           /* ZKACCEL_FPGA_NTT_* */
	uint64_t root;            /* omega, or omega^-1 for the inverse */
	uint64_t cardinality_inv; /* 1/n (used by the inverse) */
	uint64_t coset_shift;     /* the shift (forward) or its inverse (inverse); with ZKACCEL_FPGA_NTT_COSET */
} zkaccel_fpga_ntt_params;

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

	/*
	 * Added at the table's end after the first release (a driver whose
	 * struct_size stops before an entry does not have it).
	 *
	 * Poseidon2 over Goldilocks (S-box x^7) of n states in place: state i is
	 * states[t*i ... t*i+t-1], canonical. A driver rejects, with an error,
	 * a width, a round count or an element it cannot take; zkaccel then runs
	 * the batch on the CPU. A driver may keep the last parameter set loaded
	 * and compare it by value; *cycles includes the cycles of loading it.
	 */
	int (*poseidon2_goldilocks)(void *dev, const zkaccel_fpga_poseidon2_params *params, uint64_t *states, size_t n,
			uint64_t *cycles, char *err, size_t errlen);

	/*
	 * An NTT over Goldilocks of data[0 ... 2^log_n - 1] in place (see
	 * zkaccel_fpga_ntt_params). For a size beyond the device's memory the
	 * driver returns ZKACCEL_FPGA_UNSUPPORTED; an element >= p is an error.
	 */
	int (*ntt_goldilocks)(void *dev, const zkaccel_fpga_ntt_params *params, uint64_t *data, uint64_t *cycles, char *err,
			size_t errlen);
} zkaccel_fpga_api;

/* The one symbol a driver exports. */
const zkaccel_fpga_api *zkaccel_fpga_driver(void);

#ifdef __cplusplus
}
#endif

#endif /* ZKACCEL_FPGA_H */
