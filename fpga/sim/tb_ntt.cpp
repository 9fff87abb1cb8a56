// tb_ntt.cpp — the gl_ntt_array core's testbench, through the reference
// driver's NTT engine (ntt_core.h): every variant — forward and inverse,
// DIF and DIT, with and without a coset — on domains of 2^0 … 2^9 with
// random inputs (0 and p − 1 mixed in) and random coset shifts, against a
// naive O(n²) evaluation of the transform's definition, written
// independently of the butterflies; a round trip at 2^14; the cycle count
// of a 2^14 forward NTT.
#include <stdio.h>

#include <random>
#include <vector>

#include "Vgl_ntt_array.h"
#include "ntt_core.h"

namespace {

constexpr uint64_t kP = 0xFFFFFFFF00000001ull;
constexpr int kB = 4;

uint64_t mul(uint64_t a, uint64_t b) { return (uint64_t)(((unsigned __int128)a * b) % kP); }
uint64_t add(uint64_t a, uint64_t b) { return (uint64_t)(((unsigned __int128)a + b) % kP); }
uint64_t pw(uint64_t a, uint64_t e) {
	uint64_t r = 1;
	for (; e; e >>= 1, a = mul(a, a))
		if (e & 1) r = mul(r, a);
	return r;
}
uint64_t inv(uint64_t a) { return pw(a, kP - 2); }

size_t bitrev(size_t p, int logn) {
	size_t r = 0;
	for (int i = 0; i < logn; i++) r |= ((p >> i) & 1) << (logn - 1 - i);
	return r;
}

// root returns a primitive 2^logn-th root of unity: 7 generates the
// multiplicative group, so 7^((p−1)/2^logn) has order 2^logn.
uint64_t root(int logn) { return pw(7, (kP - 1) >> logn); }

// reference computes what gnark-crypto's FFT / FFTInverse compute, from the
// definitions: the forward transform evaluates the polynomial with
// coefficients a at shift·ω^k; the inverse interpolates. DIF reads natural
// order and writes bit-reversed order; DIT the other way round.
std::vector<uint64_t> reference(const std::vector<uint64_t>& in, int logn, bool inverse, bool dit, uint64_t shift) {
	size_t n = in.size();
	std::vector<uint64_t> nat(n), out(n), res(n);
	for (size_t p = 0; p < n; p++) nat[dit ? bitrev(p, logn) : p] = in[p];
	uint64_t w = root(logn);
	if (!inverse) {
		for (size_t k = 0; k < n; k++) {
			uint64_t x = mul(shift, pw(w, k)), acc = 0;
			for (size_t j = 0; j < n; j++) acc = add(acc, mul(nat[j], pw(x, j)));
			out[k] = acc;
		}
	} else {
		uint64_t ninv = inv(n), sinv = inv(shift), winv = inv(w);
		for (size_t j = 0; j < n; j++) {
			uint64_t acc = 0;
			for (size_t k = 0; k < n; k++) acc = add(acc, mul(nat[k], pw(winv, (j * k) % n)));
			out[j] = mul(mul(acc, ninv), pw(sinv, j));
		}
	}
	for (size_t p = 0; p < n; p++) res[p] = out[dit ? p : bitrev(p, logn)];
	return res;
}

}  // namespace

int main(int argc, char** argv) {
	Verilated::commandArgs(argc, argv);
	NttCore<Vgl_ntt_array, kB> core;
	std::mt19937_64 rng(42);
	auto elem = [&]() -> uint64_t {
		switch (rng() % 8) {
			case 0: return 0;
			case 1: return kP - 1;
			default: return rng() % kP;
		}
	};
	int checks = 0;
	for (int logn = 0; logn <= 9; logn++) {
		size_t n = (size_t)1 << logn;
		for (int v = 0; v < 8; v++) {
			bool inverse = v & 1, dit = v & 2, coset = v & 4;
			uint64_t shift = coset ? 1 + rng() % (kP - 1) : 1;
			std::vector<uint64_t> x(n);
			for (auto& e : x) e = elem();
			std::vector<uint64_t> want = reference(x, logn, inverse, dit, shift);
			uint64_t gen = inverse ? inv(root(logn)) : root(logn);
			uint64_t sh = inverse ? inv(shift) : shift;
			if (!core.transform(x.data(), logn, inverse, dit, coset, gen, sh, inv(n))) {
				fprintf(stderr, "FAIL: n=2^%d: the array stopped answering\n", logn);
				return 1;
			}
			for (size_t p = 0; p < n; p++) {
				if (x[p] != want[p]) {
					fprintf(stderr, "FAIL: n=2^%d %s %s%s: element %zu = %016llx, reference %016llx\n", logn,
						inverse ? "inverse" : "forward", dit ? "DIT" : "DIF", coset ? " coset" : "", p,
						(unsigned long long)x[p], (unsigned long long)want[p]);
					return 1;
				}
			}
			checks++;
		}
	}
	// A round trip at 2^14 (DIF, then the inverse DIT, on a coset), and the
	// cycles of a forward NTT with its twiddles already built.
	const int logn = 14;
	size_t n = (size_t)1 << logn;
	std::vector<uint64_t> x(n), orig;
	for (auto& e : x) e = elem();
	orig = x;
	uint64_t w = root(logn), shift = 7;
	if (!core.transform(x.data(), logn, false, false, true, w, shift, inv(n))) return 1;
	uint64_t before = core.cycles();
	std::vector<uint64_t> y = orig;
	if (!core.transform(y.data(), logn, false, false, false, w, 1, inv(n))) return 1;
	uint64_t fwd = core.cycles() - before;
	if (!core.transform(x.data(), logn, true, true, true, inv(w), inv(shift), inv(n))) return 1;
	for (size_t p = 0; p < n; p++) {
		if (x[p] != orig[p]) {
			fprintf(stderr, "FAIL: round trip at 2^14: element %zu differs\n", p);
			return 1;
		}
	}
	printf("ok: gl_ntt_array (B=%d): %d transforms (every variant, 2^0..2^9) match the naive DFT, a 2^14 coset round trip; %llu cycles for a 2^14 forward NTT (14 stages of %zu + pipeline)\n",
		kB, checks, (unsigned long long)fwd, n / 2 / kB);
	return 0;
}
