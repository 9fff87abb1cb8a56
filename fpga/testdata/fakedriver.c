// fakedriver.c — test doubles of an FPGA driver for the fpga package's
// tests, built by the tests with the C compiler in several variants:
//   -DFAKE_ABI=N     report ABI version N
//   -DFAKE_WRONG     compute wrong answers (the self-test must catch it)
//   -DFAKE_FAIL      every operation fails with a message
//   -DFAKE_NOTABLE   zkaccel_fpga_driver returns NULL
//   -DFAKE_OLD_TABLE report the first release's table size (no entries
//                    after keccak256)
//   -DFAKE_CLAIM_P2  claim Poseidon2 over Goldilocks without implementing it
//   -DFAKE_CLAIM_NTT claim Goldilocks NTTs without implementing them
// Without them it is a correct one-device driver whose "hardware" is a
// software Keccak, reporting 25 cycles per permutation.
#include <stdio.h>
#include <string.h>

#include "../include/zkaccel_fpga.h"
#include "../sim/keccak_ref.h"

#ifndef FAKE_ABI
#define FAKE_ABI ZKACCEL_FPGA_ABI_VERSION
#endif

static int dev_token;

static int device_count(int *count, char *err, size_t errlen) {
	(void)err;
	(void)errlen;
	*count = 1;
	return 0;
}

static int open_dev(int ordinal, void **dev, char *err, size_t errlen) {
	if (ordinal != 0) {
		snprintf(err, errlen, "no device %d", ordinal);
		return 2;
	}
	*dev = &dev_token;
	return 0;
}

static void close_dev(void *dev) { (void)dev; }

static int info(void *dev, zkaccel_fpga_info *out, char *err, size_t errlen) {
	(void)dev;
	(void)err;
	(void)errlen;
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "fake FPGA");
	out->capabilities = ZKACCEL_FPGA_CAP_KECCAK_F1600 | ZKACCEL_FPGA_CAP_KECCAK256;
#ifdef FAKE_CLAIM_P2
	out->capabilities |= ZKACCEL_FPGA_CAP_POSEIDON2_GOLDILOCKS;
#endif
#ifdef FAKE_CLAIM_NTT
	out->capabilities |= ZKACCEL_FPGA_CAP_NTT_GOLDILOCKS;
#endif
	out->clock_hz = 300000000;
	out->simulated = 1;
	out->cores = 2;
	return 0;
}

static void permute(uint64_t *a) {
	ref_keccak_f1600(a);
#ifdef FAKE_WRONG
	a[3] ^= 1;
#endif
}

static int keccak_f1600(void *dev, uint64_t *states, size_t n, uint64_t *cycles, char *err, size_t errlen) {
	(void)dev;
#ifdef FAKE_FAIL
	snprintf(err, errlen, "the fake device is on fire");
	return 7;
#endif
	(void)err;
	(void)errlen;
	for (size_t i = 0; i < n; i++) permute(states + 25 * i);
	*cycles = 25 * n;
	return 0;
}

static int keccak256(void *dev, const uint8_t *data, const uint64_t *offsets, size_t n, uint8_t *out, uint64_t *cycles,
		char *err, size_t errlen) {
	(void)dev;
#ifdef FAKE_FAIL
	snprintf(err, errlen, "the fake device is on fire");
	return 7;
#endif
	(void)err;
	(void)errlen;
	*cycles = 0;
	for (size_t m = 0; m < n; m++) {
		const uint8_t *msg = data + offsets[m];
		size_t len = offsets[m + 1] - offsets[m];
		uint64_t a[25] = {0};
		for (;;) {
			uint8_t block[136] = {0};
			size_t take = len < 136 ? len : 136;
			memcpy(block, msg, take);
			int last = len < 136;
			if (last) {
				block[take] ^= 0x01;
				block[135] ^= 0x80;
			}
			for (int i = 0; i < 17; i++) {
				uint64_t lane = 0;
				for (int b = 7; b >= 0; b--) lane = (lane << 8) | block[8 * i + b];
				a[i] ^= lane;
			}
			permute(a);
			*cycles += 25;
			if (last) break;
			msg += 136;
			len -= 136;
		}
		for (int i = 0; i < 32; i++) out[32 * m + i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
	}
	return 0;
}

#ifdef FAKE_OLD_TABLE
#define FAKE_SIZE (offsetof(zkaccel_fpga_api, keccak256) + sizeof(void *))
#else
#define FAKE_SIZE sizeof(zkaccel_fpga_api)
#endif

static const zkaccel_fpga_api api = {
	FAKE_ABI, FAKE_SIZE, device_count, open_dev, close_dev, info, keccak_f1600, keccak256, NULL, NULL,
};

const zkaccel_fpga_api *zkaccel_fpga_driver(void) {
#ifdef FAKE_NOTABLE
	return NULL;
#else
	return &api;
#endif
}
