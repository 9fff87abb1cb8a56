// keccak_core.h — drives the verilated keccak_f1600 core: load a state,
// clock it until done, read the result, counting cycles.
#ifndef ZKACCEL_KECCAK_CORE_H
#define ZKACCEL_KECCAK_CORE_H

#include <stdint.h>

#include "Vkeccak_f1600.h"
#include "verilated.h"

class KeccakCore {
public:
	KeccakCore() : ctx_(new VerilatedContext), top_(new Vkeccak_f1600(ctx_)) {
		top_->clk = 0;
		top_->rst = 1;
		top_->start = 0;
		tick();
		tick();
		top_->rst = 0;
		tick();
		cycles_ = 0;
	}
	~KeccakCore() {
		top_->final();
		delete top_;
		delete ctx_;
	}
	KeccakCore(const KeccakCore&) = delete;
	KeccakCore& operator=(const KeccakCore&) = delete;

	// permute runs one permutation of a (25 lanes) in place. It returns
	// false if the core never signals done.
	bool permute(uint64_t a[25]) {
		for (int i = 0; i < 25; i++) {
			top_->state_in[2 * i] = (uint32_t)a[i];
			top_->state_in[2 * i + 1] = (uint32_t)(a[i] >> 32);
		}
		top_->start = 1;
		tick();
		top_->start = 0;
		for (int guard = 0; guard < 100 && !top_->done; guard++) tick();
		if (!top_->done) return false;
		for (int i = 0; i < 25; i++) a[i] = (uint64_t)top_->state_out[2 * i] | ((uint64_t)top_->state_out[2 * i + 1] << 32);
		tick(); // done lasts one cycle
		return true;
	}

	// cycles is the number of clock cycles since the reset ended.
	uint64_t cycles() const { return cycles_; }

private:
	void tick() {
		top_->clk = 1;
		top_->eval();
		top_->clk = 0;
		top_->eval();
		cycles_++;
	}
	VerilatedContext* ctx_;
	Vkeccak_f1600* top_;
	uint64_t cycles_ = 0;
};

#endif
