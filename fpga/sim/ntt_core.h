// ntt_core.h — the NTT engine of the reference driver: the verilated
// gl_ntt_array (B butterfly units, class V) and the control a device's
// memory system would run around it: the passes of a radix-2 transform,
// the coset and 1/n scalings, and the twiddle and coset tables, which the
// array builds itself (doubling passes of scale operations) and the device
// keeps for the next call. Everything is counted in array cycles, on the
// assumption that the memory supplies 2B elements and B twiddles and takes
// 2B results every cycle.
//
// Semantics: gnark-crypto's Domain.FFT / FFTInverse on a domain of n = 2^k
// (see zkaccel_fpga_ntt_params in ../include/zkaccel_fpga.h).
#ifndef ZKACCEL_NTT_CORE_H
#define ZKACCEL_NTT_CORE_H

#include <stdint.h>

#include <deque>
#include <map>
#include <tuple>
#include <vector>

#include "verilated.h"

template <class V, int B>
class NttCore {
public:
	static constexpr int kModeDIF = 0, kModeDIT = 1, kModeScale = 2;
	static constexpr int kMaxLog = 22;  // the simulated device's memory: 2^22 elements

	NttCore() : ctx_(new VerilatedContext), top_(new V(ctx_)) {
		top_->clk = 0;
		top_->rst = 1;
		top_->in_valid = 0;
		tick();
		tick();
		top_->rst = 0;
		tick();
		cycles_ = 0;
	}
	~NttCore() {
		top_->final();
		delete top_;
		delete ctx_;
	}
	NttCore(const NttCore&) = delete;
	NttCore& operator=(const NttCore&) = delete;

	uint64_t cycles() const { return cycles_; }

	// transform runs gnark-crypto's FFT (inverse false) or FFTInverse on
	// x[0 … 2^logn − 1] in place: gen is the root the stages use (ω, or
	// ω^−1 for the inverse), dit selects the decimation, and for a coset
	// shift is the coset's shift (forward) or its inverse (inverse); cinv is
	// 1/n. It returns false if the array stops answering.
	bool transform(uint64_t* x, int logn, bool inverse, bool dit, bool coset, uint64_t gen, uint64_t shift, uint64_t cinv) {
		size_t n = (size_t)1 << logn;
		// The forward coset shift: x_j · shift^j, j the element's index in
		// natural order (DIT reads bit-reversed input).
		if (coset && !inverse) {
			const std::vector<uint64_t>* t = table(logn, shift, 1, n);
			if (t == nullptr || !scale(x, n, logn, dit, t, 0)) return false;
		}
		if (logn > 0) {
			const std::vector<uint64_t>* tw = table(logn, gen, 1, n / 2);
			if (tw == nullptr) return false;
			for (int s = 0; s < logn; s++) {
				// DIF: blocks of m = n, n/2, …, 2; DIT: 2, 4, …, n.
				size_t m = dit ? (size_t)2 << s : n >> s;
				if (!stage(x, n, m, dit, *tw)) return false;
			}
		}
		// The inverse's 1/n and coset shift: x_j · (1/n)·shift^j, j in
		// natural order (DIF writes bit-reversed output).
		if (inverse) {
			if (coset) {
				const std::vector<uint64_t>* t = table(logn, shift, cinv, n);
				if (t == nullptr || !scale(x, n, logn, !dit, t, 0)) return false;
			} else if (!scale(x, n, logn, false, nullptr, cinv)) {
				return false;
			}
		}
		return true;
	}

private:
	// run streams count operations of one mode through the array: operation
	// i takes its operands from in(i, a, b, w) and gives its results to
	// out(i, a', b'); B operations enter per cycle, then the pipeline
	// drains. It returns false if results go missing.
	template <class In, class Out>
	bool run(int mode, size_t count, In in, Out out) {
		std::deque<size_t> flight;  // the first operation of each group in the pipeline
		size_t next = 0;
		for (int guard = 0; next < count || !flight.empty(); guard++) {
			if (next < count) {
				top_->in_valid = 1;
				top_->in_mode = mode;
				for (int l = 0; l < B; l++) {
					uint64_t a = 0, b = 0, w = 0;
					if (next + l < count) in(next + l, a, b, w);
					set(top_->in_a, l, a);
					set(top_->in_b, l, b);
					set(top_->in_w, l, w);
				}
				flight.push_back(next);
				next += B;
				guard = 0;
			} else {
				top_->in_valid = 0;
			}
			tick();
			if (top_->out_valid) {
				if (flight.empty()) return false;
				size_t first = flight.front();
				flight.pop_front();
				for (int l = 0; l < B && first + l < count; l++) out(first + l, get(top_->out_a, l), get(top_->out_b, l));
			}
			if (guard > 16) return false;
		}
		top_->in_valid = 0;
		return true;
	}

	// stage runs the butterflies of blocks of m elements, twiddle j·(n/m)
	// of tw (the powers of the stage root) for the j-th pair of a block.
	bool stage(uint64_t* x, size_t n, size_t m, bool dit, const std::vector<uint64_t>& tw) {
		size_t half = m / 2, stride = n / m;
		auto pos = [&](size_t i) { return (i / half) * m + i % half; };
		return run(
			dit ? kModeDIT : kModeDIF, n / 2,
			[&](size_t i, uint64_t& a, uint64_t& b, uint64_t& w) {
				size_t p = pos(i);
				a = x[p];
				b = x[p + half];
				w = tw[(i % half) * stride];
			},
			[&](size_t i, uint64_t a, uint64_t b) {
				size_t p = pos(i);
				x[p] = a;
				x[p + half] = b;
			});
	}

	// scale multiplies x_p by t[j] (or by c where t is null), j = p, or the
	// bit reversal of p when rev is set.
	bool scale(uint64_t* x, size_t n, int logn, bool rev, const std::vector<uint64_t>* t, uint64_t c) {
		return run(
			kModeScale, n,
			[&](size_t p, uint64_t& a, uint64_t& b, uint64_t& w) {
				a = x[p];
				b = 0;
				w = t == nullptr ? c : (*t)[rev ? bitrev(p, logn) : p];
			},
			[&](size_t p, uint64_t a, uint64_t) { x[p] = a; });
	}

	// table returns start·base^j for j < count, built by the array and kept
	// (up to 8 tables of this domain size): doubling passes, each
	// multiplying the entries so far by base^(2^i), and one squaring for the
	// next power.
	const std::vector<uint64_t>* table(int logn, uint64_t base, uint64_t start, size_t count) {
		auto key = std::make_tuple(logn, base, start, count);
		auto it = tables_.find(key);
		if (it != tables_.end()) return &it->second;
		if (tables_.size() >= 8 || (!tables_.empty() && std::get<0>(tables_.begin()->first) != logn)) tables_.clear();
		std::vector<uint64_t> t(count);
		t[0] = start;
		uint64_t step = base;
		for (size_t have = 1; have < count; have *= 2) {
			size_t add = have < count - have ? have : count - have;
			bool ok = run(
				kModeScale, add,
				[&](size_t i, uint64_t& a, uint64_t& b, uint64_t& w) {
					a = t[i];
					b = 0;
					w = step;
				},
				[&](size_t i, uint64_t a, uint64_t) { t[have + i] = a; });
			if (!ok) return nullptr;
			if (have * 2 < count) {
				uint64_t sq = 0;
				ok = run(
					kModeScale, 1,
					[&](size_t, uint64_t& a, uint64_t& b, uint64_t& w) {
						a = step;
						b = 0;
						w = step;
					},
					[&](size_t, uint64_t a, uint64_t) { sq = a; });
				if (!ok) return nullptr;
				step = sq;
			}
		}
		return &(tables_[key] = std::move(t));
	}

	static size_t bitrev(size_t p, int logn) {
		size_t r = 0;
		for (int i = 0; i < logn; i++) r |= ((p >> i) & 1) << (logn - 1 - i);
		return r;
	}

	template <class W>
	static void set(W& wide, int lane, uint64_t v) {
		wide[2 * lane] = (uint32_t)v;
		wide[2 * lane + 1] = (uint32_t)(v >> 32);
	}
	template <class W>
	static uint64_t get(const W& wide, int lane) {
		return (uint64_t)wide[2 * lane] | ((uint64_t)wide[2 * lane + 1] << 32);
	}

	void tick() {
		top_->clk = 1;
		top_->eval();
		top_->clk = 0;
		top_->eval();
		cycles_++;
	}

	VerilatedContext* ctx_;
	V* top_;
	uint64_t cycles_ = 0;
	std::map<std::tuple<int, uint64_t, uint64_t, size_t>, std::vector<uint64_t>> tables_;
};

#endif
