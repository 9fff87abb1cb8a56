// The quadratic extension Fp2 = Fp[u]/(u² − β) over an instance of the
// field template named fp, with β = −FP2_NONRES_NEG for a small positive
// integer FP2_NONRES_NEG that the host defines first (1 for BN254 and
// BLS12-381, 5 for BLS12-377). An element is a0 + a1·u, stored as a0 then
// a1: gnark-crypto's E2 layout.

typedef struct { fp_t a0, a1; } fp2_t;

DEVICE fp2_t fp2_zero(void) {
	fp2_t r;
	r.a0 = fp_zero();
	r.a1 = fp_zero();
	return r;
}

DEVICE fp2_t fp2_one(void) {
	fp2_t r;
	r.a0 = fp_one();
	r.a1 = fp_zero();
	return r;
}

// fp2_load reads the i-th Fp2 element of base (2·i and 2·i+1 as Fp).
DEVICE fp2_t fp2_load(const GLOBAL u64* base, u32 i) {
	fp2_t r;
	r.a0 = fp_load(base, 2 * i);
	r.a1 = fp_load(base, 2 * i + 1);
	return r;
}

DEVICE void fp2_store(GLOBAL u64* base, u32 i, fp2_t a) {
	fp_store(base, 2 * i, a.a0);
	fp_store(base, 2 * i + 1, a.a1);
}

DEVICE int fp2_is_zero(fp2_t a) { return fp_is_zero(a.a0) & fp_is_zero(a.a1); }

DEVICE int fp2_eq(fp2_t a, fp2_t b) { return fp_eq(a.a0, b.a0) & fp_eq(a.a1, b.a1); }

DEVICE fp2_t fp2_add(fp2_t a, fp2_t b) {
	fp2_t r;
	r.a0 = fp_add(a.a0, b.a0);
	r.a1 = fp_add(a.a1, b.a1);
	return r;
}

DEVICE fp2_t fp2_sub(fp2_t a, fp2_t b) {
	fp2_t r;
	r.a0 = fp_sub(a.a0, b.a0);
	r.a1 = fp_sub(a.a1, b.a1);
	return r;
}

DEVICE fp2_t fp2_double(fp2_t a) { return fp2_add(a, a); }

DEVICE fp2_t fp2_neg(fp2_t a) {
	fp2_t r;
	r.a0 = fp_neg(a.a0);
	r.a1 = fp_neg(a.a1);
	return r;
}

// fp2_mul_nonres returns β·a for a in Fp, β = −FP2_NONRES_NEG.
DEVICE fp_t fp2_mul_nonres(fp_t a) {
#if FP2_NONRES_NEG == 1
	return fp_neg(a);
#else
	fp_t t = a;
	for (int i = 1; i < FP2_NONRES_NEG; i++) t = fp_add(t, a);
	return fp_neg(t);
#endif
}

// fp2_mul: (a0 + a1·u)(b0 + b1·u) = a0·b0 + β·a1·b1 + ((a0 + a1)(b0 + b1) − a0·b0 − a1·b1)·u.
DEVICE_NOINLINE fp2_t fp2_mul(fp2_t a, fp2_t b) {
	fp_t v0 = fp_mul(a.a0, b.a0);
	fp_t v1 = fp_mul(a.a1, b.a1);
	fp_t s = fp_mul(fp_add(a.a0, a.a1), fp_add(b.a0, b.a1));
	fp2_t r;
	r.a0 = fp_add(v0, fp2_mul_nonres(v1));
	r.a1 = fp_sub(fp_sub(s, v0), v1);
	return r;
}

// fp2_sqr: (a0 + a1·u)² = a0² + β·a1² + 2·a0·a1·u, with β = −k: the real
// part as (a0 + a1)(a0 − k·a1) + (k − 1)·a0·a1, two multiplications in all
// against two squarings and a multiplication (a quarter fewer multiplier
// instructions than even CUDA's own squaring makes). Where k = 1 (BN254,
// BLS12-381) it is (a0 + a1)(a0 − a1); for k = 5 (BLS12-377) it takes one
// addition more than β·a1² did.
DEVICE_NOINLINE fp2_t fp2_sqr(fp2_t a) {
	fp_t m = fp_mul(a.a0, a.a1);
	fp2_t r;
#if FP2_NONRES_NEG == 1
	r.a0 = fp_mul(fp_add(a.a0, a.a1), fp_sub(a.a0, a.a1));
#else
	fp_t ka1 = a.a1, km = m; // k·a1, (k − 1)·a0·a1
	for (int i = 1; i < FP2_NONRES_NEG; i++) ka1 = fp_add(ka1, a.a1);
	for (int i = 2; i < FP2_NONRES_NEG; i++) km = fp_add(km, m);
	r.a0 = fp_add(fp_mul(fp_add(a.a0, a.a1), fp_sub(a.a0, ka1)), km);
#endif
	r.a1 = fp_double(m);
	return r;
}
