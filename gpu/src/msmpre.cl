// Window multiples of resident MSM points (gpu/resident.go): for a window
// width c and nwin windows, point i's multiples 2^(c·w)·P_i, w < nwin, so
// that an MSM over them sums the digits of every window into one set of
// buckets (msm_digits with kstride 0, msm_scatter with pstride n): one
// bucket reduction instead of nwin, and no combination of windows. The host
// defines the curve (curve.cl over FE_*) before this text, and MSM_PRE_FP2
// where FE is fp2.

// fp_inv returns a⁻¹ = a^(p−2) (0 for 0), by square-and-multiply over the
// bits of p − 2. One inversion per point and window, once per key: no
// faster method is worth its code here.
DEVICE fp_t fp_inv(fp_t a) {
	u64 e[fp_N];
	u64 borrow = 2;
	for (int i = 0; i < fp_N; i++) {
		u64 p = fp_P[i];
		e[i] = p - borrow;
		borrow = p < borrow ? 1 : 0;
	}
	fp_t r = fp_one();
	for (int i = fp_N - 1; i >= 0; i--) {
		for (int b = 63; b >= 0; b--) {
			r = fp_sqr(r);
			if ((e[i] >> b) & 1) r = fp_mul(r, a);
		}
	}
	return r;
}

#ifdef MSM_PRE_FP2
// fp2_inv returns a⁻¹ = (a0 − a1·u)/(a0² − β·a1²) (0 for 0).
DEVICE fp2_t fp2_inv(fp2_t a) {
	fp_t t = fp_inv(fp_sub(fp_sqr(a.a0), fp2_mul_nonres(fp_sqr(a.a1))));
	fp2_t r;
	r.a0 = fp_mul(a.a0, t);
	r.a1 = fp_neg(fp_mul(a.a1, t));
	return r;
}
#define FE_inv fp2_inv
#else
#define FE_inv fp_inv
#endif

// aff_store writes p as the i-th affine point of base.
DEVICE void aff_store(GLOBAL u64* base, u32 i, aff_t p) {
	FE_store(base, 2 * i, p.x);
	FE_store(base, 2 * i + 1, p.y);
}

// xyzz_to_aff returns p in affine coordinates, (0, 0) for the point at
// infinity: with ZZ = Z² and ZZZ = Z³, 1/Z = ZZ/ZZZ, so that one inversion
// gives x = X/ZZ and y = Y/ZZZ.
DEVICE aff_t xyzz_to_aff(xyzz_t p) {
	aff_t r;
	if (xyzz_is_inf(p)) {
		r.x = FE_zero();
		r.y = FE_zero();
		return r;
	}
	FE_t izzz = FE_inv(p.zzz);
	FE_t iz = FE_mul(izzz, p.zz);
	r.x = FE_mul(p.x, FE_sqr(iz));
	r.y = FE_mul(p.y, izzz);
	return r;
}

// msm_precompute fills windows 1 … nwin−1 of pts, a buffer of nwin·n
// affine points whose first n are the points P_i: point w·n + i becomes
// 2^(c·w)·P_i, by c doublings from window w − 1's.
KERNEL void msm_precompute(GLOBAL u64* pts, u32 n, u32 c, u32 nwin) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	xyzz_t q = xyzz_from_aff(aff_load(pts, i));
	for (u32 w = 1; w < nwin; w++) {
		for (u32 k = 0; k < c; k++) q = xyzz_dbl(q);
		aff_store(pts, w * n + i, xyzz_to_aff(q));
	}
}
