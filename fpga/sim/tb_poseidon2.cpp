// tb_poseidon2.cpp — the poseidon2_gl cores' testbench (widths 8 and 12):
// random parameter sets (round counts, keys, diagonal) and states, with the
// edge values 0 and p − 1, against the software reference of
// poseidon2_ref.h; parameter sets alternate to test reloading; the cycle
// count of a permutation.
#include <stdio.h>

#include <random>

#include "Vposeidon2_gl_t12.h"
#include "Vposeidon2_gl_t8.h"
#include "poseidon2_core.h"
#include "poseidon2_ref.h"

namespace {

std::mt19937_64 rng(20261204);

uint64_t elem() {
	switch (rng() % 8) {
		case 0: return 0;
		case 1: return p2ref::kP - 1;
		default: return rng() % p2ref::kP;
	}
}

p2ref::Params params(int t, int rf, int rp) {
	p2ref::Params p{t, rf, rp, {}, {}};
	int half = rf / 2;
	for (int r = 0; r < rf + rp; r++) {
		int lanes = (r >= half && r < half + rp) ? 1 : t;
		std::vector<uint64_t> k(lanes);
		for (auto& v : k) v = elem();
		p.keys.push_back(k);
	}
	for (int i = 0; i < t; i++) p.diag.push_back(elem());
	return p;
}

std::vector<uint64_t> flat(const p2ref::Params& p) {
	std::vector<uint64_t> out;
	for (auto& k : p.keys) out.insert(out.end(), k.begin(), k.end());
	return out;
}

template <class V, int T>
int run(const char* name) {
	Poseidon2Core<V, T> core;
	const int shapes[][2] = {{6, 17}, {8, 22}, {8, 0}, {1, 3}, {0, 5}, {2, 62}};
	std::vector<p2ref::Params> sets;
	for (auto& sh : shapes) sets.push_back(params(T, sh[0], sh[1]));
	uint64_t perm_cycles = 0;
	int trials = 0;
	for (int round = 0; round < 3; round++) {
		for (size_t si = 0; si < sets.size(); si++) {
			const p2ref::Params& p = sets[si];
			std::vector<uint64_t> keys = flat(p);
			core.configure(p.rf, p.rp, keys.data(), p.diag.data());
			for (int n = 0; n < 12; n++) {
				std::vector<uint64_t> s(T), want;
				for (int i = 0; i < T; i++) s[i] = n == 0 ? 0 : n == 1 ? p2ref::kP - 1 : elem();
				want = s;
				p2ref::permute(p, want);
				uint64_t before = core.cycles();
				if (!core.permute(s.data())) {
					fprintf(stderr, "FAIL: %s: rf=%d rp=%d: the core never signalled done\n", name, p.rf, p.rp);
					return 1;
				}
				if (si == 0) perm_cycles = core.cycles() - before;
				for (int i = 0; i < T; i++) {
					if (s[i] != want[i]) {
						fprintf(stderr, "FAIL: %s: rf=%d rp=%d state %d lane %d = %016llx, reference %016llx\n", name, p.rf, p.rp, n,
							i, (unsigned long long)s[i], (unsigned long long)want[i]);
						return 1;
					}
				}
				trials++;
			}
		}
	}
	printf("ok: %s: %d random states over %zu parameter sets (reloaded in turn) match; %llu cycles per permutation at rf=6, rp=17 (load, 1 + 5·23, done)\n",
		name, trials, sets.size(), (unsigned long long)perm_cycles);
	return 0;
}

}  // namespace

int main(int argc, char** argv) {
	Verilated::commandArgs(argc, argv);
	if (run<Vposeidon2_gl_t8, 8>("poseidon2_gl T=8") != 0) return 1;
	return run<Vposeidon2_gl_t12, 12>("poseidon2_gl T=12");
}
