// Short Weierstrass curve arithmetic for y² = x³ + b (a = 0), written once
// over an abstract coordinate field: before this text the host defines
// FE_t and FE_zero, FE_one, FE_load, FE_store, FE_is_zero, FE_eq, FE_add,
// FE_sub, FE_double, FE_neg, FE_mul, FE_sqr as a field instance's names
// (fp_* for G1, fp2_* for G2). b never enters these formulas.
//
// Affine points are (x, y) with the point at infinity as (0, 0), stored as
// two consecutive FE elements (gnark-crypto's layout). Accumulators use
// extended Jacobian "XYZZ" coordinates: (X, Y, ZZ, ZZZ) stands for
// (X/ZZ, Y/ZZZ) with ZZ³ = ZZZ², and ZZ = 0 is the point at infinity. The
// formulas are the a = 0 cases of add-2008-s, madd-2008-s, dbl-2008-s-1 and
// mdbl-2008-s-1 (Sutherland's XYZZ formulas, Explicit-Formulas Database),
// with the exceptional cases (equal inputs, opposite inputs, infinity)
// handled explicitly.

typedef struct { FE_t x, y; } aff_t;
typedef struct { FE_t x, y, zz, zzz; } xyzz_t;

// aff_load reads the i-th affine point of base.
DEVICE aff_t aff_load(const GLOBAL u64* base, u32 i) {
	aff_t r;
	r.x = FE_load(base, 2 * i);
	r.y = FE_load(base, 2 * i + 1);
	return r;
}

DEVICE int aff_is_inf(aff_t p) { return FE_is_zero(p.x) & FE_is_zero(p.y); }

DEVICE xyzz_t xyzz_inf(void) {
	xyzz_t r;
	r.x = FE_one();
	r.y = FE_one();
	r.zz = FE_zero();
	r.zzz = FE_zero();
	return r;
}

DEVICE int xyzz_is_inf(xyzz_t p) { return FE_is_zero(p.zz); }

DEVICE xyzz_t xyzz_from_aff(aff_t q) {
	if (aff_is_inf(q)) return xyzz_inf();
	xyzz_t r;
	r.x = q.x;
	r.y = q.y;
	r.zz = FE_one();
	r.zzz = FE_one();
	return r;
}

// xyzz_load reads the i-th accumulator of base (4 FE elements each).
DEVICE xyzz_t xyzz_load(const GLOBAL u64* base, u32 i) {
	xyzz_t r;
	r.x = FE_load(base, 4 * i);
	r.y = FE_load(base, 4 * i + 1);
	r.zz = FE_load(base, 4 * i + 2);
	r.zzz = FE_load(base, 4 * i + 3);
	return r;
}

DEVICE void xyzz_store(GLOBAL u64* base, u32 i, xyzz_t p) {
	FE_store(base, 4 * i, p.x);
	FE_store(base, 4 * i + 1, p.y);
	FE_store(base, 4 * i + 2, p.zz);
	FE_store(base, 4 * i + 3, p.zzz);
}

// xyzz_mdbl returns 2·q for an affine q that is not the point at infinity.
// Inlined into its one caller, xyzz_madd (see there).
DEVICE xyzz_t xyzz_mdbl(aff_t q) {
	FE_t u = FE_double(q.y);
	FE_t v = FE_sqr(u);
	FE_t w = FE_mul(u, v);
	FE_t s = FE_mul(q.x, v);
	FE_t x2 = FE_sqr(q.x);
	FE_t m = FE_add(FE_double(x2), x2);
	xyzz_t r;
	r.x = FE_sub(FE_sub(FE_sqr(m), s), s);
	r.y = FE_sub(FE_mul(m, FE_sub(s, r.x)), FE_mul(w, q.y));
	r.zz = v;
	r.zzz = w;
	return r;
}

// xyzz_dbl_i returns 2·p, inlined where it is called (xyzz_dbl is the
// call).
DEVICE xyzz_t xyzz_dbl_i(xyzz_t p) {
	if (xyzz_is_inf(p)) return p;
	FE_t u = FE_double(p.y);
	FE_t v = FE_sqr(u);
	FE_t w = FE_mul(u, v);
	FE_t s = FE_mul(p.x, v);
	FE_t x2 = FE_sqr(p.x);
	FE_t m = FE_add(FE_double(x2), x2);
	xyzz_t r;
	r.x = FE_sub(FE_sub(FE_sqr(m), s), s);
	r.y = FE_sub(FE_mul(m, FE_sub(s, r.x)), FE_mul(w, p.y));
	r.zz = FE_mul(v, p.zz);
	r.zzz = FE_mul(w, p.zzz);
	return r;
}

// xyzz_dbl returns 2·p.
DEVICE_NOINLINE xyzz_t xyzz_dbl(xyzz_t p) { return xyzz_dbl_i(p); }

// xyzz_madd returns p + q for an affine q (the point at infinity allowed).
// Inlined (its one caller is the MSM's bucket loop, most of the MSM's
// work): as a call, the points it takes by value pass through local memory
// for the curves whose points exceed BN254 G1's (NVRTC's PTX shows it),
// and inlining it (and xyzz_mdbl) costs no compile time. The other
// formulas are calls (xyzz_add, xyzz_dbl, xyzz_add_g), but where the
// bucket reduction inlines them (src/msm.cl, MSM_INLINE_REDUCE).
DEVICE xyzz_t xyzz_madd(xyzz_t p, aff_t q) {
	if (aff_is_inf(q)) return p;
	if (xyzz_is_inf(p)) return xyzz_from_aff(q);
	FE_t u2 = FE_mul(q.x, p.zz);
	FE_t s2 = FE_mul(q.y, p.zzz);
	FE_t pp = FE_sub(u2, p.x);
	FE_t rr = FE_sub(s2, p.y);
	if (FE_is_zero(pp)) {
		if (FE_is_zero(rr)) return xyzz_mdbl(q);
		return xyzz_inf(); // q = −p
	}
	FE_t p2 = FE_sqr(pp);
	FE_t p3 = FE_mul(pp, p2);
	FE_t qq = FE_mul(p.x, p2);
	xyzz_t r;
	r.x = FE_sub(FE_sub(FE_sub(FE_sqr(rr), p3), qq), qq);
	r.y = FE_sub(FE_mul(rr, FE_sub(qq, r.x)), FE_mul(p.y, p3));
	r.zz = FE_mul(p.zz, p2);
	r.zzz = FE_mul(p.zzz, p3);
	return r;
}

// xyzz_add_i returns p + q, inlined where it is called (xyzz_add is the
// call).
DEVICE xyzz_t xyzz_add_i(xyzz_t p, xyzz_t q) {
	if (xyzz_is_inf(p)) return q;
	if (xyzz_is_inf(q)) return p;
	FE_t u1 = FE_mul(p.x, q.zz);
	FE_t u2 = FE_mul(q.x, p.zz);
	FE_t s1 = FE_mul(p.y, q.zzz);
	FE_t s2 = FE_mul(q.y, p.zzz);
	FE_t pp = FE_sub(u2, u1);
	FE_t rr = FE_sub(s2, s1);
	if (FE_is_zero(pp)) {
		if (FE_is_zero(rr)) return xyzz_dbl_i(p);
		return xyzz_inf(); // q = −p
	}
	FE_t p2 = FE_sqr(pp);
	FE_t p3 = FE_mul(pp, p2);
	FE_t qq = FE_mul(u1, p2);
	xyzz_t r;
	r.x = FE_sub(FE_sub(FE_sub(FE_sqr(rr), p3), qq), qq);
	r.y = FE_sub(FE_mul(rr, FE_sub(qq, r.x)), FE_mul(s1, p3));
	r.zz = FE_mul(FE_mul(p.zz, q.zz), p2);
	r.zzz = FE_mul(FE_mul(p.zzz, q.zzz), p3);
	return r;
}

// xyzz_add returns p + q.
DEVICE_NOINLINE xyzz_t xyzz_add(xyzz_t p, xyzz_t q) { return xyzz_add_i(p, q); }

// xyzz_add_g writes p + q into dst[di] for the points p = a[ai] and
// q = b[bi] in global memory: a call whose arguments are pointers and
// indices, so that no point passes by value through local memory.
DEVICE_NOINLINE void xyzz_add_g(GLOBAL u64* dst, u32 di, const GLOBAL u64* a, u32 ai, const GLOBAL u64* b, u32 bi) {
	xyzz_store(dst, di, xyzz_add_i(xyzz_load(a, ai), xyzz_load(b, bi)));
}

// xyzz_store_jac writes p as a Jacobian point (X, Y, Z) with x = X/Z² and
// y = Y/Z³ at base: X·ZZ², Y·ZZZ², ZZZ; the point at infinity as (1, 1, 0),
// as gnark-crypto writes it.
DEVICE void xyzz_store_jac(GLOBAL u64* base, xyzz_t p) {
	if (xyzz_is_inf(p)) {
		FE_store(base, 0, FE_one());
		FE_store(base, 1, FE_one());
		FE_store(base, 2, FE_zero());
		return;
	}
	FE_store(base, 0, FE_mul(p.x, FE_sqr(p.zz)));
	FE_store(base, 1, FE_mul(p.y, FE_sqr(p.zzz)));
	FE_store(base, 2, p.zzz);
}
