// poseidon2_core.h — drives a verilated poseidon2_gl core of width T
// (class V): load a parameter set through the configuration port, then one
// state at a time — load, clock until done, read — counting cycles.
#ifndef ZKACCEL_POSEIDON2_CORE_H
#define ZKACCEL_POSEIDON2_CORE_H

#include <stdint.h>
#include <string.h>

#include <vector>

#include "verilated.h"

template <class V, int T>
class Poseidon2Core {
public:
	static constexpr int kRoundsMax = 64;  // the core's RMAX

	Poseidon2Core() : ctx_(new VerilatedContext), top_(new V(ctx_)) {
		top_->clk = 0;
		top_->rst = 1;
		top_->start = 0;
		top_->cfg_we = 0;
		tick();
		tick();
		top_->rst = 0;
		tick();
		cycles_ = 0;
	}
	~Poseidon2Core() {
		top_->final();
		delete top_;
		delete ctx_;
	}
	Poseidon2Core(const Poseidon2Core&) = delete;
	Poseidon2Core& operator=(const Poseidon2Core&) = delete;

	// configure loads rf, rp, the round keys (flat, as the ABI lays them
	// out: T per full round, one per partial round) and the diagonal, one
	// word per cycle, unless they are the ones loaded already. rf + rp must
	// be at most kRoundsMax and every value below p (the caller checks).
	void configure(int rf, int rp, const uint64_t* flat, const uint64_t* diag) {
		size_t nk = (size_t)rf * T + rp;
		if (loaded_ && rf == rf_ && rp == rp_ && memcmp(flat, keys_.data(), nk * 8) == 0 && memcmp(diag, diag_, sizeof diag_) == 0) return;
		write(2, 0, 0, (uint64_t)rf | (uint64_t)rp << 8);
		int half = rf / 2;
		const uint64_t* k = flat;
		for (int r = 0; r < rf + rp; r++) {
			int lanes = (r >= half && r < half + rp) ? 1 : T;
			for (int i = 0; i < lanes; i++) write(0, r, i, *k++);
		}
		for (int i = 0; i < T; i++) write(1, 0, i, diag[i]);
		top_->cfg_we = 0;
		rf_ = rf;
		rp_ = rp;
		keys_.assign(flat, flat + nk);
		memcpy(diag_, diag, sizeof diag_);
		loaded_ = true;
	}

	// permute runs one permutation of s (T canonical elements) in place. It
	// returns false if the core never signals done.
	bool permute(uint64_t* s) {
		for (int i = 0; i < T; i++) {
			top_->state_in[2 * i] = (uint32_t)s[i];
			top_->state_in[2 * i + 1] = (uint32_t)(s[i] >> 32);
		}
		top_->start = 1;
		tick();
		top_->start = 0;
		for (int guard = 0; guard < 8 + 5 * kRoundsMax && !top_->done; guard++) tick();
		if (!top_->done) return false;
		for (int i = 0; i < T; i++) s[i] = (uint64_t)top_->state_out[2 * i] | ((uint64_t)top_->state_out[2 * i + 1] << 32);
		tick();  // done lasts one cycle
		return true;
	}

	// cycles is the number of clock cycles since the reset ended.
	uint64_t cycles() const { return cycles_; }

private:
	void write(int sel, int row, int lane, uint64_t v) {
		top_->cfg_we = 1;
		top_->cfg_sel = sel;
		top_->cfg_row = row;
		top_->cfg_lane = lane;
		top_->cfg_data = v;
		tick();
		top_->cfg_we = 0;
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
	bool loaded_ = false;
	int rf_ = 0, rp_ = 0;
	std::vector<uint64_t> keys_;
	uint64_t diag_[T] = {};
};

#endif
