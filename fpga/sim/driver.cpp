// driver.cpp — zkaccel's reference FPGA driver: the C ABI of
// ../include/zkaccel_fpga.h over a Verilator simulation of zkaccel's own
// RTL (../rtl). One device with one keccak_f1600 core, one poseidon2_gl
// core of each of the widths 8 and 12, and a gl_ntt_array of 4 butterfly
// units. Its cycle counts are simulated
// cycles of the RTL; the throughput they imply at the stated clock is a
// projection, and zkaccel labels it so.
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <new>

#include "../include/zkaccel_fpga.h"
#include "Vgl_ntt_array.h"
#include "Vposeidon2_gl_t12.h"
#include "Vposeidon2_gl_t8.h"
#include "keccak_core.h"
#include "ntt_core.h"
#include "poseidon2_core.h"

namespace {

// The clock the projections assume, one for the whole device: a
// conservative figure for a 1600-bit, one-round-per-cycle Keccak core on an
// AMD UltraScale+ device; the Poseidon2 core's 64×64-bit multiply and
// reduction in one cycle would need pipelining to reach it. It is an
// assumption, not a timing closure result.
constexpr uint64_t kClockHz = 250000000;

int fail(char* err, size_t errlen, const char* format, ...) {
	if (err != nullptr && errlen > 0) {
		va_list ap;
		va_start(ap, format);
		vsnprintf(err, errlen, format, ap);
		va_end(ap);
	}
	return 1;
}

struct Device {
	KeccakCore core;
	Poseidon2Core<Vposeidon2_gl_t8, 8> p2t8;
	Poseidon2Core<Vposeidon2_gl_t12, 12> p2t12;
	NttCore<Vgl_ntt_array, 4> ntt;
};

int device_count(int* count, char* err, size_t errlen) {
	if (count == nullptr) return fail(err, errlen, "device_count: NULL count");
	*count = 1;
	return 0;
}

int open_device(int ordinal, void** dev, char* err, size_t errlen) {
	if (dev == nullptr) return fail(err, errlen, "open: NULL handle");
	if (ordinal != 0) return fail(err, errlen, "open: no device %d (the simulator has 1)", ordinal);
	Device* d = new (std::nothrow) Device;
	if (d == nullptr) return fail(err, errlen, "open: out of memory");
	*dev = d;
	return 0;
}

void close_device(void* dev) { delete static_cast<Device*>(dev); }

int info(void* dev, zkaccel_fpga_info* out, char* err, size_t errlen) {
	if (dev == nullptr || out == nullptr) return fail(err, errlen, "info: NULL argument");
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "zkaccel RTL on Verilator: keccak, poseidon2-gl, ntt-gl");
	out->capabilities = ZKACCEL_FPGA_CAP_KECCAK_F1600 | ZKACCEL_FPGA_CAP_KECCAK256 | ZKACCEL_FPGA_CAP_POSEIDON2_GOLDILOCKS |
		ZKACCEL_FPGA_CAP_NTT_GOLDILOCKS;
	out->clock_hz = kClockHz;
	out->simulated = 1;
	out->cores = 1;
	return 0;
}

int keccak_f1600(void* dev, uint64_t* states, size_t n, uint64_t* cycles, char* err, size_t errlen) {
	if (dev == nullptr || (states == nullptr && n > 0)) return fail(err, errlen, "keccak_f1600: NULL argument");
	KeccakCore& core = static_cast<Device*>(dev)->core;
	uint64_t start = core.cycles();
	for (size_t i = 0; i < n; i++) {
		if (!core.permute(states + 25 * i)) return fail(err, errlen, "keccak_f1600: state %zu: the core never signalled done", i);
	}
	if (cycles != nullptr) *cycles = core.cycles() - start;
	return 0;
}

constexpr size_t kRate = 136;  // Keccak-256's rate in bytes

void absorb(uint64_t a[25], const uint8_t* block) {
	for (size_t i = 0; i < kRate / 8; i++) {
		uint64_t lane = 0;
		for (int b = 7; b >= 0; b--) lane = (lane << 8) | block[8 * i + b];
		a[i] ^= lane;
	}
}

int keccak256(void* dev, const uint8_t* data, const uint64_t* offsets, size_t n, uint8_t* out, uint64_t* cycles, char* err,
		size_t errlen) {
	if (dev == nullptr || offsets == nullptr || (out == nullptr && n > 0)) return fail(err, errlen, "keccak256: NULL argument");
	KeccakCore& core = static_cast<Device*>(dev)->core;
	uint64_t start = core.cycles();
	for (size_t m = 0; m < n; m++) {
		uint64_t lo = offsets[m], hi = offsets[m + 1];
		if (hi < lo) return fail(err, errlen, "keccak256: offsets[%zu] = %llu > offsets[%zu] = %llu", m, (unsigned long long)lo, m + 1, (unsigned long long)hi);
		if (hi > lo && data == nullptr) return fail(err, errlen, "keccak256: NULL data");
		const uint8_t* msg = data + lo;
		size_t len = hi - lo;
		uint64_t a[25] = {0};
		while (len >= kRate) {
			absorb(a, msg);
			if (!core.permute(a)) return fail(err, errlen, "keccak256: the core never signalled done");
			msg += kRate;
			len -= kRate;
		}
		uint8_t last[kRate] = {0};
		memcpy(last, msg, len);
		last[len] ^= 0x01;
		last[kRate - 1] ^= 0x80;
		absorb(a, last);
		if (!core.permute(a)) return fail(err, errlen, "keccak256: the core never signalled done");
		for (int i = 0; i < 32; i++) out[32 * m + i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
	}
	if (cycles != nullptr) *cycles = core.cycles() - start;
	return 0;
}

// p2run loads params into core (if they differ from its last) and
// permutes the n states; the caller has checked them.
template <class Core, int T>
int p2run(Core& core, const zkaccel_fpga_poseidon2_params* p, uint64_t* states, size_t n, uint64_t* cycles, char* err,
		size_t errlen) {
	uint64_t start = core.cycles();
	core.configure((int)p->full_rounds, (int)p->partial_rounds, p->round_keys, p->diag_m1);
	for (size_t i = 0; i < n; i++) {
		if (!core.permute(states + (size_t)T * i)) return fail(err, errlen, "poseidon2_goldilocks: state %zu: the core never signalled done", i);
	}
	if (cycles != nullptr) *cycles = core.cycles() - start;
	return 0;
}

// firstUnreduced returns the index of the first of the n values that is not
// below p, or n.
size_t firstUnreduced(const uint64_t* v, size_t n) {
	for (size_t i = 0; i < n; i++)
		if (v[i] >= ZKACCEL_FPGA_GOLDILOCKS_P) return i;
	return n;
}

int poseidon2_goldilocks(void* dev, const zkaccel_fpga_poseidon2_params* p, uint64_t* states, size_t n, uint64_t* cycles,
		char* err, size_t errlen) {
	if (dev == nullptr || p == nullptr || (states == nullptr && n > 0)) return fail(err, errlen, "poseidon2_goldilocks: NULL argument");
	uint32_t t = p->width, rf = p->full_rounds, rp = p->partial_rounds;
	if (t != 8 && t != 12) {
		fail(err, errlen, "poseidon2_goldilocks: width %u (the cores have widths 8 and 12)", t);
		return ZKACCEL_FPGA_UNSUPPORTED;
	}
	if (rf > 255 || rp > 255 || rf + rp > (uint32_t)Poseidon2Core<Vposeidon2_gl_t8, 8>::kRoundsMax) {
		fail(err, errlen, "poseidon2_goldilocks: %u full and %u partial rounds (the cores run up to %d rounds)", rf, rp,
			Poseidon2Core<Vposeidon2_gl_t8, 8>::kRoundsMax);
		return ZKACCEL_FPGA_UNSUPPORTED;
	}
	size_t nk = (size_t)rf * t + rp;
	if ((nk > 0 && p->round_keys == nullptr) || p->diag_m1 == nullptr) return fail(err, errlen, "poseidon2_goldilocks: NULL parameters");
	if (size_t i = firstUnreduced(p->round_keys, nk); i < nk) return fail(err, errlen, "poseidon2_goldilocks: round key %zu is not below p", i);
	if (size_t i = firstUnreduced(p->diag_m1, t); i < t) return fail(err, errlen, "poseidon2_goldilocks: diag_m1[%zu] is not below p", i);
	if (size_t i = firstUnreduced(states, n * t); i < n * t) return fail(err, errlen, "poseidon2_goldilocks: element %zu of the states is not below p", i);
	Device* d = static_cast<Device*>(dev);
	if (t == 8) return p2run<decltype(d->p2t8), 8>(d->p2t8, p, states, n, cycles, err, errlen);
	return p2run<decltype(d->p2t12), 12>(d->p2t12, p, states, n, cycles, err, errlen);
}

int ntt_goldilocks(void* dev, const zkaccel_fpga_ntt_params* p, uint64_t* data, uint64_t* cycles, char* err, size_t errlen) {
	if (dev == nullptr || p == nullptr || data == nullptr) return fail(err, errlen, "ntt_goldilocks: NULL argument");
	using Core = NttCore<Vgl_ntt_array, 4>;
	if (p->log_n > (uint32_t)Core::kMaxLog) {
		fail(err, errlen, "ntt_goldilocks: n = 2^%u (the simulated device holds up to 2^%d elements)", p->log_n, Core::kMaxLog);
		return ZKACCEL_FPGA_UNSUPPORTED;
	}
	if (p->flags & ~(uint32_t)(ZKACCEL_FPGA_NTT_INVERSE | ZKACCEL_FPGA_NTT_DIT | ZKACCEL_FPGA_NTT_COSET))
		return fail(err, errlen, "ntt_goldilocks: unknown flags %#x", p->flags);
	size_t n = (size_t)1 << p->log_n;
	const uint64_t consts[3] = {p->root, p->cardinality_inv, p->coset_shift};
	if (size_t i = firstUnreduced(consts, 3); i < 3) return fail(err, errlen, "ntt_goldilocks: constant %zu (root, cardinality_inv, coset_shift) is not below p", i);
	if (size_t i = firstUnreduced(data, n); i < n) return fail(err, errlen, "ntt_goldilocks: element %zu is not below p", i);
	Core& core = static_cast<Device*>(dev)->ntt;
	uint64_t start = core.cycles();
	bool coset = p->flags & ZKACCEL_FPGA_NTT_COSET;
	if (!core.transform(data, (int)p->log_n, p->flags & ZKACCEL_FPGA_NTT_INVERSE, p->flags & ZKACCEL_FPGA_NTT_DIT, coset, p->root,
			coset ? p->coset_shift : 1, p->cardinality_inv))
		return fail(err, errlen, "ntt_goldilocks: the butterfly array stopped answering");
	if (cycles != nullptr) *cycles = core.cycles() - start;
	return 0;
}

const zkaccel_fpga_api kAPI = {
	ZKACCEL_FPGA_ABI_VERSION,
	sizeof(zkaccel_fpga_api),
	device_count,
	open_device,
	close_device,
	info,
	keccak_f1600,
	keccak256,
	poseidon2_goldilocks,
	ntt_goldilocks,
};

}  // namespace

extern "C" const zkaccel_fpga_api* zkaccel_fpga_driver(void) { return &kAPI; }
