// tb_gl_arith.cpp — the Goldilocks arithmetic of gl_arith.v (through the
// gl_arith_tb wrapper: gl_mul, gl_add, gl_sub and gl_red72 side by side) against
// 128-bit integer arithmetic: every pair of edge values (0, 1, 2^32 − 1,
// 2^32, 2^63, p − 2^32, p − 1, …) and a million random operands.
#include <stdio.h>

#include <random>

#include "Vgl_arith_tb.h"
#include "verilated.h"

namespace {

constexpr uint64_t kP = 0xFFFFFFFF00000001ull;

}  // namespace

int main(int argc, char** argv) {
	Verilated::commandArgs(argc, argv);
	VerilatedContext ctx;
	Vgl_arith_tb top(&ctx);
	const uint64_t edges[] = {0, 1, 2, 0xFFFFFFFFull, 0x100000000ull, 0x100000001ull, 1ull << 63, (1ull << 63) + 1,
		kP - 0x100000000ull, kP - 0xFFFFFFFFull, kP - 2, kP - 1, 0xFFFFFFFEFFFFFFFFull, 0x7FFFFFFF80000000ull};
	std::mt19937_64 rng(7);
	long checks = 0;
	// check sets the inputs and compares the outputs; gl_mul and gl_add take
	// canonical operands only (ops false: a may be any 64-bit word, and only
	// gl_red72, which takes any 72-bit value, is checked).
	auto check = [&](uint64_t a, uint64_t b, uint8_t hi, bool ops = true) -> bool {
		top.a = a;
		top.b = b;
		top.hi = hi;
		top.eval();
		uint64_t mul = (uint64_t)(((unsigned __int128)a * b) % kP);
		uint64_t add = (uint64_t)(((unsigned __int128)a + b) % kP);
		uint64_t sub = (uint64_t)(((unsigned __int128)a + kP - b) % kP);
		unsigned __int128 wide = ((unsigned __int128)hi << 64) | a;
		uint64_t red = (uint64_t)(wide % kP);
		checks++;
		if ((ops && (top.mul != mul || top.add != add || top.sub != sub)) || top.red != red) {
			fprintf(stderr, "FAIL: a=%016llx b=%016llx hi=%02x: mul %016llx (want %016llx) add %016llx (want %016llx) sub %016llx (want %016llx) red %016llx (want %016llx)\n",
				(unsigned long long)a, (unsigned long long)b, hi, (unsigned long long)top.mul, (unsigned long long)mul,
				(unsigned long long)top.add, (unsigned long long)add, (unsigned long long)top.sub, (unsigned long long)sub,
				(unsigned long long)top.red, (unsigned long long)red);
			return false;
		}
		return true;
	};
	for (uint64_t a : edges)
		for (uint64_t b : edges)
			for (int hi : {0, 1, 0x7f, 0xff})
				if (!check(a, b, (uint8_t)hi)) return 1;
	for (uint64_t a : {~(uint64_t)0, ~(uint64_t)1, kP, kP + 1})
		for (int hi : {0, 1, 0xff})
			if (!check(a, 0, (uint8_t)hi, false)) return 1;
	for (int i = 0; i < 1000000; i++) {
		uint64_t a = rng() % kP, b = rng() % kP;
		if (!check(a, b, (uint8_t)rng())) return 1;
		if (!check(rng() | 0xFFFFFFFF00000000ull, b, (uint8_t)rng(), false)) return 1;
	}
	printf("ok: gl_arith: gl_mul, gl_add, gl_sub, gl_red72 agree with 128-bit arithmetic on %ld operand sets\n", checks);
	return 0;
}
