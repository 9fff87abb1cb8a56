// keccak_ref.h — a plain software Keccak-f[1600], written from FIPS 202
// (the round constants from the LFSR of Algorithm 5, the rotation offsets
// from the walk of Algorithm 2), independent of the RTL's tables: the
// testbench checks the RTL against it.
#ifndef ZKACCEL_KECCAK_REF_H
#define ZKACCEL_KECCAK_REF_H

#include <stdint.h>

static inline uint64_t ref_rol(uint64_t v, int n) { return n == 0 ? v : (v << n) | (v >> (64 - n)); }

// ref_rc_bit is rc(t) of FIPS 202 Algorithm 5.
static inline int ref_rc_bit(int t) {
	if (t % 255 == 0) return 1;
	unsigned r = 1;
	for (int i = 1; i <= t % 255; i++) {
		r <<= 1;
		if (r & 0x100) r ^= 0x171;
	}
	return r & 1;
}

static inline void ref_keccak_f1600(uint64_t a[25]) {
	int rho[25] = {0};
	int x = 1, y = 0;
	for (int t = 0; t < 24; t++) {
		rho[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64;
		int nx = y, ny = (2 * x + 3 * y) % 5;
		x = nx;
		y = ny;
	}
	for (int r = 0; r < 24; r++) {
		uint64_t c[5], d[5], b[25];
		for (int i = 0; i < 5; i++) c[i] = a[i] ^ a[i + 5] ^ a[i + 10] ^ a[i + 15] ^ a[i + 20];
		for (int i = 0; i < 5; i++) d[i] = c[(i + 4) % 5] ^ ref_rol(c[(i + 1) % 5], 1);
		for (int i = 0; i < 25; i++) a[i] ^= d[i % 5];
		for (int i = 0; i < 5; i++)
			for (int j = 0; j < 5; j++) b[j + 5 * ((2 * i + 3 * j) % 5)] = ref_rol(a[i + 5 * j], rho[i + 5 * j]);
		for (int i = 0; i < 5; i++)
			for (int j = 0; j < 5; j++) a[i + 5 * j] = b[i + 5 * j] ^ (~b[(i + 1) % 5 + 5 * j] & b[(i + 2) % 5 + 5 * j]);
		uint64_t rc = 0;
		for (int j = 0; j <= 6; j++)
			if (ref_rc_bit(j + 7 * r)) rc |= (uint64_t)1 << ((1 << j) - 1);
		a[0] ^= rc;
	}
}

#endif
