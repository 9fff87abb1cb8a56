// A prime field in Montgomery form over FLD_N little-endian 64-bit limbs,
// with R = 2^(64·FLD_N): gnark-crypto's layout. Template: the host renames
// every FLD identifier for the instance and defines FLD_N, FLD_INV
// (−p⁻¹ mod 2^64) and the constant arrays FLD_P (p), FLD_ONE (R mod p) and
// FLD_R2 (R² mod p) before this text.

typedef struct { u64 v[FLD_N]; } FLD_t;

// FLD_mac returns the low word of a + b·c + d and sets *hi to the high word.
DEVICE u64 FLD_mac(u64 a, u64 b, u64 c, u64 d, u64* hi) {
	u64 lo = b * c;
	u64 h = MULHI64(b, c);
	lo += a;
	h += (lo < a);
	lo += d;
	h += (lo < d);
	*hi = h;
	return lo;
}

DEVICE FLD_t FLD_zero(void) {
	FLD_t r;
	for (int i = 0; i < FLD_N; i++) r.v[i] = 0;
	return r;
}

// FLD_one returns 1 (R mod p in Montgomery form).
DEVICE FLD_t FLD_one(void) {
	FLD_t r;
	for (int i = 0; i < FLD_N; i++) r.v[i] = FLD_ONE[i];
	return r;
}

DEVICE FLD_t FLD_load(const GLOBAL u64* base, u32 i) {
	FLD_t r;
	for (int k = 0; k < FLD_N; k++) r.v[k] = base[(u64)i * FLD_N + k];
	return r;
}

DEVICE void FLD_store(GLOBAL u64* base, u32 i, FLD_t a) {
	for (int k = 0; k < FLD_N; k++) base[(u64)i * FLD_N + k] = a.v[k];
}

DEVICE int FLD_is_zero(FLD_t a) {
	u64 acc = 0;
	for (int i = 0; i < FLD_N; i++) acc |= a.v[i];
	return acc == 0;
}

DEVICE int FLD_eq(FLD_t a, FLD_t b) {
	u64 acc = 0;
	for (int i = 0; i < FLD_N; i++) acc |= a.v[i] ^ b.v[i];
	return acc == 0;
}

// FLD_geq_p reports whether the N-limb value a (with an extra top word hi)
// is at least p.
DEVICE int FLD_geq_p(FLD_t a, u64 hi) {
	if (hi != 0) return 1;
	for (int i = FLD_N - 1; i >= 0; i--) {
		if (a.v[i] > FLD_P[i]) return 1;
		if (a.v[i] < FLD_P[i]) return 0;
	}
	return 1;
}

// FLD_sub_p returns a − p over N limbs (the borrow out is dropped).
DEVICE FLD_t FLD_sub_p(FLD_t a) {
	FLD_t r;
	u64 borrow = 0;
	for (int i = 0; i < FLD_N; i++) {
		u64 p = FLD_P[i];
		u64 d = a.v[i] - p;
		u64 b1 = a.v[i] < p;
		r.v[i] = d - borrow;
		borrow = b1 | (d < borrow);
	}
	return r;
}

// FLD_add, FLD_sub: with FLD_ASM_ADD (CUDA's inline PTX, gpu/source.go's
// addSubCUDA), the carry-flag forms FLD_addp and FLD_subp; else in C.
DEVICE FLD_t FLD_add(FLD_t a, FLD_t b) {
	FLD_t r;
#ifdef FLD_ASM_ADD
	FLD_addp(r.v, a.v, b.v);
#else
	u64 carry = 0;
	for (int i = 0; i < FLD_N; i++) {
		u64 s = a.v[i] + b.v[i];
		u64 c1 = s < a.v[i];
		r.v[i] = s + carry;
		carry = c1 | (r.v[i] < s);
	}
	if (FLD_geq_p(r, carry)) r = FLD_sub_p(r);
#endif
	return r;
}

DEVICE FLD_t FLD_double(FLD_t a) { return FLD_add(a, a); }

DEVICE FLD_t FLD_sub(FLD_t a, FLD_t b) {
	FLD_t r;
#ifdef FLD_ASM_ADD
	FLD_subp(r.v, a.v, b.v);
#else
	u64 borrow = 0;
	for (int i = 0; i < FLD_N; i++) {
		u64 d = a.v[i] - b.v[i];
		u64 b1 = a.v[i] < b.v[i];
		r.v[i] = d - borrow;
		borrow = b1 | (d < borrow);
	}
	if (borrow) { // add p back
		u64 carry = 0;
		for (int i = 0; i < FLD_N; i++) {
			u64 s = r.v[i] + FLD_P[i];
			u64 c1 = s < r.v[i];
			r.v[i] = s + carry;
			carry = c1 | (r.v[i] < s);
		}
	}
#endif
	return r;
}

DEVICE FLD_t FLD_neg(FLD_t a) {
	if (FLD_is_zero(a)) return a;
	FLD_t p;
	for (int i = 0; i < FLD_N; i++) p.v[i] = FLD_P[i];
	return FLD_sub(p, a);
}

#if defined(ZK_MUL32) && FLD_N > 1 && defined(FLD_NOCARRY32)
// FLD_words splits a's limbs into 2·FLD_N 32-bit words, low first.
DEVICE void FLD_words(u32* x, FLD_t a) {
	UNROLL
	for (int j = 0; j < FLD_N; j++) {
		x[2 * j] = (u32)a.v[j];
		x[2 * j + 1] = (u32)(a.v[j] >> 32);
	}
}

// FLD_from_words returns the element t (2·FLD_N words, below 2p) reduced
// below p.
DEVICE FLD_t FLD_from_words(const u32* t) {
	FLD_t r;
	UNROLL
	for (int j = 0; j < FLD_N; j++) r.v[j] = (u64)t[2 * j] | ((u64)t[2 * j + 1] << 32);
#ifdef FLD_ASM_ADD
	FLD_t q;
	FLD_redp(q.v, r.v);
	return q;
#else
	if (FLD_geq_p(r, 0)) r = FLD_sub_p(r);
	return r;
#endif
}

// FLD_mul returns a·b·R⁻¹ mod p (Montgomery multiplication) over 32-bit
// words: the form GPUs multiply fastest, whose integer units are 32 bits
// wide (a 32×32+64-bit multiply-add is one instruction on NVIDIA GPUs, a
// 64×64-bit product several). The limbs' memory layout, R and the result
// are those of the 64-bit form below; ZK_MUL32 chooses this one (common.h
// sets it under CUDA; gpu.Device sets it for OpenCL GPUs).
//
// It is CIOS with the multiplication and reduction passes fused, which
// needs no words above the W = 2·FLD_N of t: valid when p's top word is
// below (2^32 − 1)/2 − 1 (FLD_NOCARRY32, which the host defines for such p:
// every curve field here), the condition gnark-crypto's "no-carry"
// multiplication states. The carries a and c stay below 2^32, so each
// c + x·y + t fits in 64 bits, and t stays below 2p. Each round computes
// t ← (t + x·bi + m·p)/2^32. Under CUDA (unless ZK_NO_ASM) the host's
// inline PTX does the work with the hardware's carry chains: by default
// FLD_mulw, the whole multiplication in one block of wide multiply-adds;
// with ZK_MUL_ROWS (ZKACCEL_GPU_MUL=32s), FLD_row, each round as one block.
DEVICE FLD_t FLD_mul(FLD_t a, FLD_t b) {
	u32 x[2 * FLD_N], t[2 * FLD_N];
	FLD_words(x, a);
#ifdef FLD_ASM_MUL
	u32 y[2 * FLD_N];
	FLD_words(y, b);
	FLD_mulw(t, x, y); // the whole multiplication, as inline PTX (gpu/source.go's montMulPTX)
#else
	UNROLL
	for (int j = 0; j < 2 * FLD_N; j++) t[j] = 0;
	UNROLL
	for (int i = 0; i < 2 * FLD_N; i++) {
		u32 bi = (u32)(b.v[i / 2] >> (32 * (i % 2)));
#ifdef FLD_ASM_ROW
		FLD_row(t, x, bi); // the same row as below, as inline PTX (gpu/source.go)
#else
		u64 ac = (u64)x[0] * bi + t[0];
		u32 t0 = (u32)ac;
		ac >>= 32;
		u32 m = t0 * FLD_NINV32;
		u64 cc = ((u64)m * FLD_PW[0] + t0) >> 32;
		UNROLL
		for (int j = 1; j < 2 * FLD_N; j++) {
			ac += (u64)x[j] * bi + t[j];
			cc += (u64)m * FLD_PW[j] + (u32)ac;
			ac >>= 32;
			t[j - 1] = (u32)cc;
			cc >>= 32;
		}
		t[2 * FLD_N - 1] = (u32)(cc + ac);
#endif
	}
#endif
	return FLD_from_words(t);
}

#ifdef FLD_ASM_SQR
// FLD_sqr returns a²·R⁻¹ mod p: under CUDA's default form, the squaring
// as inline PTX with each cross product once (gpu/source.go's
// montSqrPTX), 100 wide multiply-adds for BN254 against the
// multiplication's 128.
DEVICE FLD_t FLD_sqr(FLD_t a) {
	u32 x[2 * FLD_N], t[2 * FLD_N];
	FLD_words(x, a);
	FLD_sqrw(t, x);
	return FLD_from_words(t);
}
#define FLD_HAVE_SQR 1
#endif
#else
// FLD_mul returns a·b·R⁻¹ mod p (Montgomery multiplication, CIOS).
DEVICE FLD_t FLD_mul(FLD_t a, FLD_t b) {
	u64 t[FLD_N + 2];
	for (int i = 0; i < FLD_N + 2; i++) t[i] = 0;
	for (int i = 0; i < FLD_N; i++) {
		u64 c = 0;
		for (int j = 0; j < FLD_N; j++) t[j] = FLD_mac(t[j], a.v[j], b.v[i], c, &c);
		u64 s = t[FLD_N] + c;
		t[FLD_N + 1] = s < c;
		t[FLD_N] = s;
		u64 m = t[0] * FLD_INV;
		FLD_mac(t[0], m, FLD_P[0], 0, &c);
		for (int j = 1; j < FLD_N; j++) t[j - 1] = FLD_mac(t[j], m, FLD_P[j], c, &c);
		s = t[FLD_N] + c;
		t[FLD_N - 1] = s;
		t[FLD_N] = t[FLD_N + 1] + (s < c);
	}
	FLD_t r;
	for (int i = 0; i < FLD_N; i++) r.v[i] = t[i];
	if (FLD_geq_p(r, t[FLD_N])) r = FLD_sub_p(r);
	return r;
}
#endif

#ifndef FLD_HAVE_SQR
DEVICE FLD_t FLD_sqr(FLD_t a) { return FLD_mul(a, a); }
#endif

// FLD_from_mont returns a·R⁻¹: the canonical value of a Montgomery element,
// still as N limbs.
DEVICE FLD_t FLD_from_mont(FLD_t a) {
	FLD_t one = FLD_zero();
	one.v[0] = 1;
	return FLD_mul(a, one);
}

// FLD_to_mont returns a·R: the Montgomery form of a canonical value a < p.
DEVICE FLD_t FLD_to_mont(FLD_t a) {
	FLD_t r2;
	for (int i = 0; i < FLD_N; i++) r2.v[i] = FLD_R2[i];
	return FLD_mul(a, r2);
}

// FLD_inv returns a⁻¹ = a^(p−2) (0 for 0), by square-and-multiply over the
// bits of p − 2: for the rare inversions of the device's work (a key's
// window multiples, PLONK's ratio), where no faster method is worth its
// code.
DEVICE FLD_t FLD_inv(FLD_t a) {
	u64 e[FLD_N];
	u64 borrow = 2;
	for (int i = 0; i < FLD_N; i++) {
		u64 p = FLD_P[i];
		e[i] = p - borrow;
		borrow = p < borrow ? 1 : 0;
	}
	FLD_t r = FLD_one();
	for (int i = FLD_N - 1; i >= 0; i--) {
		for (int b = 63; b >= 0; b--) {
			r = FLD_sqr(r);
			if ((e[i] >> b) & 1) r = FLD_mul(r, a);
		}
	}
	return r;
}

// FLD_pow returns a^e for a 64-bit exponent.
DEVICE FLD_t FLD_pow(FLD_t a, u64 e) {
	FLD_t r = FLD_one();
	while (e != 0) {
		if (e & 1) r = FLD_mul(r, a);
		a = FLD_sqr(a);
		e >>= 1;
	}
	return r;
}
