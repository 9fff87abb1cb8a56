// tb_bn254.cpp — the testbench of the BN254 pieces of an MSM unit:
//   bn254_mont_mul  against gnark-crypto's fp.Element.Mul (the known
//                   answers of testdata/bn254_g1.txt, with 0, 1 and p − 1)
//                   and against a software Montgomery multiplication on
//                   20000 random operand pairs;
//   bn254_g1_unit   mixed additions, doublings and a running sum against
//                   gnark-crypto's results: random points with random Z,
//                   ∞ + P, P + P, −P + P, 2·∞, and a sum that adds itself
//                   and its negation on the way. A result (X : Y : Z) is
//                   checked against the affine answer (x, y) as X = x·Z²,
//                   Y = y·Z³, or Z = 0 for ∞.
// Usage: tb_bn254 testdata/bn254_g1.txt
#include <stdio.h>
#include <string.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Vbn254_g1_unit.h"
#include "Vbn254_mont_mul.h"
#include "verilated.h"

namespace {

typedef unsigned __int128 u128;

struct Fe {
	uint64_t w[4];  // little-endian words
	bool operator==(const Fe& o) const { return memcmp(w, o.w, sizeof w) == 0; }
	bool operator!=(const Fe& o) const { return !(*this == o); }
};

const Fe kP = {{0x3c208c16d87cfd47ull, 0x97816a916871ca8dull, 0xb85045b68181585dull, 0x30644e72e131a029ull}};
const uint64_t kNinv = 0x87d20782e4866389ull;  // −p^−1 mod 2^64

bool parse(const std::string& s, Fe* e) {
	if (s.size() != 64) return false;
	for (int i = 0; i < 4; i++) e->w[3 - i] = strtoull(s.substr(16 * i, 16).c_str(), nullptr, 16);
	return true;
}

std::string hex(const Fe& e) {
	char buf[80];
	snprintf(buf, sizeof buf, "%016llx%016llx%016llx%016llx", (unsigned long long)e.w[3], (unsigned long long)e.w[2],
		(unsigned long long)e.w[1], (unsigned long long)e.w[0]);
	return buf;
}

bool geq(const Fe& a, const Fe& b) {
	for (int i = 3; i >= 0; i--)
		if (a.w[i] != b.w[i]) return a.w[i] > b.w[i];
	return true;
}

// mont is the software reference: CIOS Montgomery multiplication with
// 64-bit words (a, b < p), a·b·2^−256 mod p.
Fe mont(const Fe& a, const Fe& b) {
	uint64_t t[6] = {0};
	for (int i = 0; i < 4; i++) {
		u128 c = 0;
		for (int j = 0; j < 4; j++) {
			c += (u128)t[j] + (u128)a.w[j] * b.w[i];
			t[j] = (uint64_t)c;
			c >>= 64;
		}
		c += t[4];
		t[4] = (uint64_t)c;
		t[5] = (uint64_t)(c >> 64);
		uint64_t m = t[0] * kNinv;
		c = ((u128)m * kP.w[0] + t[0]) >> 64;
		for (int j = 1; j < 4; j++) {
			c += (u128)t[j] + (u128)m * kP.w[j];
			t[j - 1] = (uint64_t)c;
			c >>= 64;
		}
		c += t[4];
		t[3] = (uint64_t)c;
		t[4] = t[5] + (uint64_t)(c >> 64);
	}
	Fe r = {{t[0], t[1], t[2], t[3]}};
	if (t[4] != 0 || geq(r, kP)) {
		u128 borrow = 0;
		for (int j = 0; j < 4; j++) {
			u128 d = (u128)r.w[j] - kP.w[j] - borrow;
			r.w[j] = (uint64_t)d;
			borrow = (d >> 64) & 1;
		}
	}
	return r;
}

template <class W>
void put(W& wide, int word, const Fe& e) {
	for (int i = 0; i < 4; i++) {
		wide[2 * (4 * word + i)] = (uint32_t)e.w[i];
		wide[2 * (4 * word + i) + 1] = (uint32_t)(e.w[i] >> 32);
	}
}

template <class W>
Fe take(const W& wide, int word) {
	Fe e;
	for (int i = 0; i < 4; i++) e.w[i] = (uint64_t)wide[2 * (4 * word + i)] | ((uint64_t)wide[2 * (4 * word + i) + 1] << 32);
	return e;
}

template <class V>
void tick(V* top, uint64_t* cycles) {
	top->clk = 1;
	top->eval();
	top->clk = 0;
	top->eval();
	(*cycles)++;
}

// Mul drives the verilated multiplier.
struct Mul {
	VerilatedContext ctx;
	Vbn254_mont_mul top{&ctx};
	uint64_t cycles = 0;
	Mul() {
		top.rst = 1;  // two reset cycles: the first eval only initialises the model
		tick(&top, &cycles);
		tick(&top, &cycles);
		top.rst = 0;
		tick(&top, &cycles);
	}
	bool run(const Fe& a, const Fe& b, Fe* r) {
		put(top.a, 0, a);
		put(top.b, 0, b);
		top.start = 1;
		tick(&top, &cycles);
		top.start = 0;
		for (int g = 0; g < 40 && !top.done; g++) tick(&top, &cycles);
		if (!top.done) return false;
		*r = take(top.r, 0);
		return true;
	}
};

// Unit drives the verilated point unit.
struct Unit {
	VerilatedContext ctx;
	Vbn254_g1_unit top{&ctx};
	uint64_t cycles = 0;
	Unit() {
		top.rst = 1;  // two reset cycles: the first eval only initialises the model
		tick(&top, &cycles);
		tick(&top, &cycles);
		top.rst = 0;
		tick(&top, &cycles);
	}
	// run performs op (0 madd, 1 dbl); with load, P1 = (x1, y1, z1) first.
	bool run(int op, bool load, const Fe p1[3], const Fe p2[2], Fe out[3]) {
		for (int i = 0; i < 3 && load; i++) put(top.p1_in, i, p1[i]);
		for (int i = 0; i < 2 && p2 != nullptr; i++) put(top.p2_in, i, p2[i]);
		top.op = op;
		top.load = load;
		top.start = 1;
		tick(&top, &cycles);
		top.start = 0;
		for (int g = 0; g < 2000 && !top.done; g++) tick(&top, &cycles);
		if (!top.done) return false;
		for (int i = 0; i < 3; i++) out[i] = take(top.p1_out, i);
		tick(&top, &cycles);
		return true;
	}
};

// matches checks a Jacobian result against an affine answer (or "inf").
bool matches(const Fe out[3], const std::vector<Fe>& want, bool inf, std::string* why) {
	Fe zero = {{0, 0, 0, 0}};
	if (inf) {
		if (out[2] != zero) {
			*why = "want ∞, Z = " + hex(out[2]);
			return false;
		}
		return true;
	}
	if (out[2] == zero) {
		*why = "got ∞";
		return false;
	}
	Fe z2 = mont(out[2], out[2]), z3 = mont(z2, out[2]);
	if (mont(want[0], z2) != out[0] || mont(want[1], z3) != out[1]) {
		*why = "(X : Y : Z) = (" + hex(out[0]) + " : " + hex(out[1]) + " : " + hex(out[2]) + ") is not (" + hex(want[0]) + ", " +
			hex(want[1]) + ")";
		return false;
	}
	return true;
}

}  // namespace

int main(int argc, char** argv) {
	Verilated::commandArgs(argc, argv);
	const char* path = argc > 1 ? argv[1] : "testdata/bn254_g1.txt";
	std::ifstream in(path);
	if (!in) {
		fprintf(stderr, "FAIL: cannot read %s\n", path);
		return 1;
	}
	Mul mul;
	Unit unit;
	int nmul = 0, nmadd = 0, ndbl = 0, nacc = 0, line = 0;
	uint64_t madd_cycles = 0, dbl_cycles = 0, mul_cycles = 0;
	bool acc_started = false;
	std::string s;
	while (std::getline(in, s)) {
		line++;
		if (s.empty() || s[0] == '#') continue;
		std::istringstream f(s);
		std::string kind, tok;
		f >> kind;
		std::vector<Fe> v;
		bool inf = false;
		while (f >> tok) {
			Fe e;
			if (tok == "inf") inf = true;
			else if (!parse(tok, &e)) {
				fprintf(stderr, "FAIL: %s:%d: bad element %s\n", path, line, tok.c_str());
				return 1;
			} else v.push_back(e);
		}
		Fe out[3];
		std::string why;
		if (kind == "mul" && v.size() == 3) {
			Fe r;
			uint64_t before = mul.cycles;
			if (!mul.run(v[0], v[1], &r)) {
				fprintf(stderr, "FAIL: %s:%d: the multiplier never signalled done\n", path, line);
				return 1;
			}
			mul_cycles = mul.cycles - before;
			if (r != v[2] || mont(v[0], v[1]) != v[2]) {
				fprintf(stderr, "FAIL: %s:%d: mul: RTL %s, software %s, gnark-crypto %s\n", path, line, hex(r).c_str(),
					hex(mont(v[0], v[1])).c_str(), hex(v[2]).c_str());
				return 1;
			}
			nmul++;
		} else if (kind == "madd" && v.size() == (inf ? 5u : 7u)) {
			uint64_t before = unit.cycles;
			if (!unit.run(0, true, &v[0], &v[3], out)) {
				fprintf(stderr, "FAIL: %s:%d: the point unit never signalled done\n", path, line);
				return 1;
			}
			if (nmadd == 0) madd_cycles = unit.cycles - before;
			if (!matches(out, std::vector<Fe>(v.begin() + 5, v.end()), inf, &why)) {
				fprintf(stderr, "FAIL: %s:%d: madd: %s\n", path, line, why.c_str());
				return 1;
			}
			nmadd++;
		} else if (kind == "dbl" && v.size() == (inf ? 3u : 5u)) {
			uint64_t before = unit.cycles;
			if (!unit.run(1, true, &v[0], nullptr, out)) {
				fprintf(stderr, "FAIL: %s:%d: the point unit never signalled done\n", path, line);
				return 1;
			}
			if (ndbl == 0) dbl_cycles = unit.cycles - before;
			if (!matches(out, std::vector<Fe>(v.begin() + 3, v.end()), inf, &why)) {
				fprintf(stderr, "FAIL: %s:%d: dbl: %s\n", path, line, why.c_str());
				return 1;
			}
			ndbl++;
		} else if (kind == "acc" && v.size() == (inf ? 2u : 4u)) {
			// The first step loads ∞ = (1, 1, 0), 1 in Montgomery form being
			// 2^256 mod p; later steps keep the sum in the unit.
			Fe r_mod_p = {{0xd35d438dc58f0d9dull, 0x0a78eb28f5c70b3dull, 0x666ea36f7879462cull, 0x0e0a77c19a07df2full}};
			Fe p1[3] = {r_mod_p, r_mod_p, Fe{{0, 0, 0, 0}}};
			if (!unit.run(0, !acc_started, p1, &v[0], out)) {
				fprintf(stderr, "FAIL: %s:%d: the point unit never signalled done\n", path, line);
				return 1;
			}
			acc_started = true;
			if (!matches(out, std::vector<Fe>(v.begin() + 2, v.end()), inf, &why)) {
				fprintf(stderr, "FAIL: %s:%d: running sum, step %d: %s\n", path, line, nacc, why.c_str());
				return 1;
			}
			nacc++;
		} else {
			fprintf(stderr, "FAIL: %s:%d: bad line\n", path, line);
			return 1;
		}
	}
	if (nmul == 0 || nmadd == 0 || ndbl == 0 || nacc == 0) {
		fprintf(stderr, "FAIL: %s: missing vectors (mul %d, madd %d, dbl %d, acc %d)\n", path, nmul, nmadd, ndbl, nacc);
		return 1;
	}
	// Random operands against the software reference.
	std::mt19937_64 rng(254);
	const int trials = 20000;
	for (int t = 0; t < trials; t++) {
		Fe a, b, r;
		do {
			for (auto& w : a.w) w = rng();
			a.w[3] &= (1ull << 62) - 1;
		} while (geq(a, kP));
		do {
			for (auto& w : b.w) w = rng();
			b.w[3] &= (1ull << 62) - 1;
		} while (geq(b, kP));
		if (!mul.run(a, b, &r) || r != mont(a, b)) {
			fprintf(stderr, "FAIL: random mul %d: %s · %s: RTL %s, software %s\n", t, hex(a).c_str(), hex(b).c_str(), hex(r).c_str(),
				hex(mont(a, b)).c_str());
			return 1;
		}
	}
	printf("ok: bn254_mont_mul: %d gnark-crypto products and %d random ones match; %llu cycles a product (load, 4 words × 2, reduce)\n",
		nmul, trials, (unsigned long long)mul_cycles);
	printf("ok: bn254_g1_unit: %d mixed additions, %d doublings and a %d-step running sum match gnark-crypto; %llu cycles a mixed addition, %llu a doubling (random points)\n",
		nmadd, ndbl, nacc, (unsigned long long)madd_cycles, (unsigned long long)dbl_cycles);
	return 0;
}
