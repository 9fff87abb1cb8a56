// A prime field p < 2^31 in Montgomery form over one 32-bit word, with
// R = 2^32: gnark-crypto's layout for BabyBear and KoalaBear. Template: the
// host renames every FLD identifier for the instance and defines FLD_N (1),
// FLD_P32 (p), FLD_INV32 (−p⁻¹ mod 2^32), FLD_ONE32 (R mod p) and FLD_R2_32
// (R² mod p) before this text.

typedef struct { u32 v[1]; } FLD_t;

DEVICE FLD_t FLD_zero(void) { FLD_t r; r.v[0] = 0; return r; }
DEVICE FLD_t FLD_one(void) { FLD_t r; r.v[0] = FLD_ONE32; return r; }

DEVICE FLD_t FLD_load(const GLOBAL u32* base, u32 i) { FLD_t r; r.v[0] = base[i]; return r; }
DEVICE void FLD_store(GLOBAL u32* base, u32 i, FLD_t a) { base[i] = a.v[0]; }

DEVICE int FLD_is_zero(FLD_t a) { return a.v[0] == 0; }
DEVICE int FLD_eq(FLD_t a, FLD_t b) { return a.v[0] == b.v[0]; }

DEVICE FLD_t FLD_add(FLD_t a, FLD_t b) {
	u32 s = a.v[0] + b.v[0]; // < 2^32: p < 2^31
	if (s >= FLD_P32) s -= FLD_P32;
	FLD_t r; r.v[0] = s; return r;
}

DEVICE FLD_t FLD_double(FLD_t a) { return FLD_add(a, a); }

DEVICE FLD_t FLD_sub(FLD_t a, FLD_t b) {
	u32 d = a.v[0] - b.v[0];
	if (a.v[0] < b.v[0]) d += FLD_P32;
	FLD_t r; r.v[0] = d; return r;
}

DEVICE FLD_t FLD_neg(FLD_t a) {
	FLD_t r; r.v[0] = a.v[0] == 0 ? 0 : FLD_P32 - a.v[0]; return r;
}

// FLD_mul returns a·b·2^−32 mod p.
DEVICE FLD_t FLD_mul(FLD_t a, FLD_t b) {
	u64 t = (u64)a.v[0] * (u64)b.v[0];
	u32 m = (u32)t * FLD_INV32;
	u64 u = (t + (u64)m * (u64)FLD_P32) >> 32;
	u32 s = (u32)u;
	if (s >= FLD_P32) s -= FLD_P32;
	FLD_t r; r.v[0] = s; return r;
}

DEVICE FLD_t FLD_sqr(FLD_t a) { return FLD_mul(a, a); }

DEVICE FLD_t FLD_from_mont(FLD_t a) { FLD_t one; one.v[0] = 1; return FLD_mul(a, one); }
DEVICE FLD_t FLD_to_mont(FLD_t a) { FLD_t r2; r2.v[0] = FLD_R2_32; return FLD_mul(a, r2); }

DEVICE FLD_t FLD_pow(FLD_t a, u64 e) {
	FLD_t r = FLD_one();
	while (e != 0) {
		if (e & 1) r = FLD_mul(r, a);
		a = FLD_sqr(a);
		e >>= 1;
	}
	return r;
}
