// Window multiples of resident MSM points (gpu/resident.go): for a window
// width c and nwin windows, point i's multiples 2^(c·w)·P_i, w < nwin, so
// that an MSM over them sums the digits of every window into one set of
// buckets (msm_digits with kstride 0, msm_scatter with pstride n): one
// bucket reduction instead of nwin, and no combination of windows. The host
// defines the curve (curve.cl over FE_*) before this text, and MSM_PRE_FP2
// where FE is fp2.

// fp_inv (field64.cl) inverts in the base field: one inversion per point
// and MSM_PRE_BATCH windows, once per key.

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

// MSM_PRE_BATCH is the windows whose multiples share one inversion
// (Montgomery's trick: 3 multiplications each instead of an inversion of
// some 380).
#define MSM_PRE_BATCH 4

// msm_precompute fills windows 1 … nwin−1 of pts, a buffer of nwin·n
// affine points whose first n are the points P_i: point w·n + i becomes
// 2^(c·w)·P_i, by c doublings from window w − 1's. The multiples go to
// affine coordinates MSM_PRE_BATCH windows at a time, with one inversion
// of the product of their ZZZ: with ZZ = Z² and ZZZ = Z³, 1/Z = ZZ/ZZZ,
// x = X/ZZ and y = Y/ZZZ. A multiple at infinity is (0, 0).
KERNEL void msm_precompute(GLOBAL u64* pts, u32 n, u32 c, u32 nwin) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	xyzz_t q = xyzz_from_aff(aff_load(pts, i));
	for (u32 w0 = 1; w0 < nwin; w0 += MSM_PRE_BATCH) {
		u32 k = min((u32)MSM_PRE_BATCH, nwin - w0);
		xyzz_t qs[MSM_PRE_BATCH];
		FE_t before[MSM_PRE_BATCH]; // the product of the ZZZ before each
		FE_t acc = FE_one();
		for (u32 j = 0; j < k; j++) {
			for (u32 b = 0; b < c; b++) q = xyzz_dbl(q);
			qs[j] = q;
			before[j] = acc;
			if (!xyzz_is_inf(q)) acc = FE_mul(acc, q.zzz);
		}
		FE_t inv = FE_inv(acc); // 1 / Π ZZZ
		for (u32 j = k; j-- > 0;) {
			aff_t a;
			if (xyzz_is_inf(qs[j])) {
				a.x = FE_zero();
				a.y = FE_zero();
			} else {
				FE_t izzz = FE_mul(inv, before[j]);
				inv = FE_mul(inv, qs[j].zzz);
				FE_t iz = FE_mul(izzz, qs[j].zz);
				a.x = FE_mul(qs[j].x, FE_sqr(iz));
				a.y = FE_mul(qs[j].y, izzz);
			}
			aff_store(pts, (w0 + j) * n + i, a);
		}
	}
}
