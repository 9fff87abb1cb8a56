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

DEVICE FLD_t FLD_add(FLD_t a, FLD_t b) {
	FLD_t r;
	u64 carry = 0;
	for (int i = 0; i < FLD_N; i++) {
		u64 s = a.v[i] + b.v[i];
		u64 c1 = s < a.v[i];
		r.v[i] = s + carry;
		carry = c1 | (r.v[i] < s);
	}
	if (FLD_geq_p(r, carry)) r = FLD_sub_p(r);
	return r;
}

DEVICE FLD_t FLD_double(FLD_t a) { return FLD_add(a, a); }

DEVICE FLD_t FLD_sub(FLD_t a, FLD_t b) {
	FLD_t r;
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
	return r;
}

DEVICE FLD_t FLD_neg(FLD_t a) {
	if (FLD_is_zero(a)) return a;
	FLD_t p;
	for (int i = 0; i < FLD_N; i++) p.v[i] = FLD_P[i];
	return FLD_sub(p, a);
}

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

DEVICE FLD_t FLD_sqr(FLD_t a) { return FLD_mul(a, a); }

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
