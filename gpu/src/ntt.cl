// Radix-2 number-theoretic transforms over the field instance f (prefix
// "f", from field64.cl or field32.cl), with gnark-crypto's conventions:
//
//   DIF (decimation in frequency) reads natural order and writes
//   bit-reversed order: stages with half-span m = n/2, n/4, …, 1; butterfly
//   (x, y) → (x + y, (x − y)·w^j).
//   DIT (decimation in time) reads bit-reversed order and writes natural
//   order: stages with half-span m = 1, 2, …, n/2; butterfly
//   (x, y) → (x + y·w^j, x − y·w^j).
//
// In both, the butterfly at offset j of a stage with half-span m = 2^logm
// uses tw[j << (logn − 1 − logm)], where tw[i] = w^i (i < n/2) is the table
// of powers of the domain's generator w (or of its inverse). The host
// defines NTT_LOCAL_LOG, the log of the largest block the local-memory
// kernels hold, before this text.

// ntt_powers writes out[i] = base^(i·stride) for i < n.
KERNEL void ntt_powers(GLOBAL f_word* out, u32 n, const GLOBAL f_word* base, u64 stride) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_store(out, i, f_pow(f_load(base, 0), (u64)i * stride));
}

// ntt_powers2 writes out[i] = lo[i mod 2^lobits] · hi[i >> lobits] for
// i < n: with lo[j] = b^j and hi[j] = b^(j·2^lobits), out[i] = b^i.
KERNEL void ntt_powers2(GLOBAL f_word* out, u32 n, const GLOBAL f_word* lo, const GLOBAL f_word* hi, u32 lobits) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_store(out, i, f_mul(f_load(lo, i & ((1u << lobits) - 1u)), f_load(hi, i >> lobits)));
}

// ntt_coset multiplies a[i] by s^k, k = i (rev = 0) or the logn-bit
// reversal of i (rev = 1), and by c[0] when hasc is set. The power s^k is
// lo[k mod 2^lobits] · hi[k >> lobits], with lo[j] = s^j and
// hi[j] = s^(j·2^lobits).
KERNEL void ntt_coset(GLOBAL f_word* a, u32 n, u32 logn, u32 rev, const GLOBAL f_word* lo,
		const GLOBAL f_word* hi, u32 lobits, const GLOBAL f_word* c, u32 hasc) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	u32 k = rev ? ntt_rev(i, logn) : i;
	f_t s = f_mul(f_load(lo, k & ((1u << lobits) - 1u)), f_load(hi, k >> lobits));
	if (hasc) s = f_mul(s, f_load(c, 0));
	f_store(a, i, f_mul(f_load(a, i), s));
}

// ntt_scale multiplies a[i] by c[0] for i < n.
KERNEL void ntt_scale(GLOBAL f_word* a, u32 n, const GLOBAL f_word* c) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_store(a, i, f_mul(f_load(a, i), f_load(c, 0)));
}

// ntt_dif_stage runs the butterflies t < nbfly of one DIF stage with
// half-span 2^logm over a domain of 2^logn elements.
KERNEL void ntt_dif_stage(GLOBAL f_word* a, u32 nbfly, u32 logn, u32 logm, const GLOBAL f_word* tw) {
	u32 t = GLOBAL_ID();
	if (t >= nbfly) return;
	u32 j = t & ((1u << logm) - 1u);
	u32 i0 = ((t >> logm) << (logm + 1)) | j;
	u32 i1 = i0 + (1u << logm);
	f_t x = f_load(a, i0);
	f_t y = f_load(a, i1);
	f_t d = f_sub(x, y);
	if (j != 0) d = f_mul(d, f_load(tw, j << (logn - 1 - logm)));
	f_store(a, i0, f_add(x, y));
	f_store(a, i1, d);
}

// ntt_dit_stage runs the butterflies t < nbfly of one DIT stage with
// half-span 2^logm over a domain of 2^logn elements.
KERNEL void ntt_dit_stage(GLOBAL f_word* a, u32 nbfly, u32 logn, u32 logm, const GLOBAL f_word* tw) {
	u32 t = GLOBAL_ID();
	if (t >= nbfly) return;
	u32 j = t & ((1u << logm) - 1u);
	u32 i0 = ((t >> logm) << (logm + 1)) | j;
	u32 i1 = i0 + (1u << logm);
	f_t x = f_load(a, i0);
	f_t y = f_load(a, i1);
	if (j != 0) y = f_mul(y, f_load(tw, j << (logn - 1 - logm)));
	f_store(a, i0, f_add(x, y));
	f_store(a, i1, f_sub(x, y));
}

// The local-memory kernels run lb consecutive stages, half-spans 2^s …
// 2^(s+lb−1), in one launch: those stages mix only the elements whose
// indices differ in bits s … s+lb−1, so they split the data into
// independent columns {hi·2^(s+lb) + k·2^s + lo : k < 2^lb}, lo < 2^s. A
// work-group holds 2^c adjacent columns (c ≤ s, lb + c ≤ NTT_LOCAL_LOG) in
// local memory, so that adjacent work items read adjacent elements: group
// g has lo = lo0 + q, q < 2^c, with lo0 = (g mod 2^(s−c))·2^c and
// hi = g >> (s−c); element (k, q) is the block's element k·2^c + q. A transform of
// 2^logn elements takes a few such passes (DIF from the top stages down,
// DIT from the bottom up) instead of logn launches over global memory.

// ntt_block_base returns the global index of group g's element (0, 0).
DEVICE u32 ntt_block_base(u32 g, u32 lb, u32 s, u32 c) {
	u32 lo0 = (g & ((1u << (s - c)) - 1u)) << c;
	return ((g >> (s - c)) << (lb + s)) | lo0;
}

// The local-memory kernels also apply, where the host fuses them into the
// first or last pass, the element-wise factors of a coset or an inverse
// transform (the ntt_coset and ntt_scale kernels' work, without their own
// pass over memory). fix selects one:
//   NTT_FIX_NONE
//   NTT_FIX_PRE    on load: a[i] *= t^k (a forward transform on a coset)
//   NTT_FIX_SCALE  on store: a[i] *= c[0] (an inverse transform)
//   NTT_FIX_COSET  on store: a[i] *= c[0] · t^k (an inverse one on a coset)
// with t^k = lo[k mod 2^lobits] · hi[k >> lobits], k = i, or its logn-bit
// reversal when rev is set.
#define NTT_FIX_NONE 0
#define NTT_FIX_PRE 1
#define NTT_FIX_SCALE 2
#define NTT_FIX_COSET 3

// ntt_fix_power returns t^k for element i (see above).
DEVICE f_t ntt_fix_power(u32 i, u32 logn, u32 rev, const GLOBAL f_word* lo, const GLOBAL f_word* hi, u32 lobits) {
	u32 k = rev ? ntt_rev(i, logn) : i;
	return f_mul(f_load(lo, k & ((1u << lobits) - 1u)), f_load(hi, k >> lobits));
}

// ntt_fix_load and ntt_fix_store read and write element i with the fix.
DEVICE f_t ntt_fix_load(const GLOBAL f_word* a, u32 i, u32 logn, u32 fix, u32 rev, const GLOBAL f_word* lo,
		const GLOBAL f_word* hi, u32 lobits) {
	f_t x = f_load(a, i);
	if (fix == NTT_FIX_PRE) x = f_mul(x, ntt_fix_power(i, logn, rev, lo, hi, lobits));
	return x;
}

DEVICE void ntt_fix_store(GLOBAL f_word* a, u32 i, f_t x, u32 logn, u32 fix, u32 rev, const GLOBAL f_word* lo,
		const GLOBAL f_word* hi, u32 lobits, const GLOBAL f_word* cf) {
	if (fix == NTT_FIX_SCALE) x = f_mul(x, f_load(cf, 0));
	if (fix == NTT_FIX_COSET) x = f_mul(x, f_mul(f_load(cf, 0), ntt_fix_power(i, logn, rev, lo, hi, lobits)));
	f_store(a, i, x);
}

// The local-memory kernels keep their block word-major under CUDA and on
// OpenCL GPUs (the host defines NTT_WORD_MAJOR there): word w of the
// block's element e sits at sh[w·NTT_LOCAL_SIZE + e]. Adjacent work items
// work on adjacent elements, so each of their word accesses touches
// adjacent words, which a GPU serves from distinct banks of its shared
// memory. Element-major (word w at sh[e·f_N + w], the layout of an array
// of f_t), adjacent items' words are f_N words apart: for BN254 under CUDA
// a warp's 64-bit access then spans 1 KiB and takes 8 shared-memory
// wavefronts instead of 2. On a CPU (POCL) element-major keeps an element
// in one cache line, and measured faster. NTT_ELEMENT_MAJOR forces it.
#define NTT_LOCAL_SIZE (1u << NTT_LOCAL_LOG)
#if (defined(ZK_CUDA) || defined(NTT_WORD_MAJOR)) && !defined(NTT_ELEMENT_MAJOR)
#define NTT_LIDX(e, w) ((w) * NTT_LOCAL_SIZE + (e))
#else
#define NTT_LIDX(e, w) ((e) * f_N + (w))
#endif

DEVICE f_t ntt_lget(const LOCALPTR f_word* sh, u32 e) {
	f_t x;
	UNROLL for (u32 w = 0; w < f_N; w++) x.v[w] = sh[NTT_LIDX(e, w)];
	return x;
}

DEVICE void ntt_lset(LOCALPTR f_word* sh, u32 e, f_t x) {
	UNROLL for (u32 w = 0; w < f_N; w++) sh[NTT_LIDX(e, w)] = x.v[w];
}

// ntt_dif_local runs the DIF stages with half-spans 2^(s+lb−1) down to 2^s
// on 2^c columns per work-group, in local memory.
KERNEL void ntt_dif_local(GLOBAL f_word* a, u32 logn, u32 lb, u32 s, u32 c, const GLOBAL f_word* tw, u32 fix, u32 rev,
		const GLOBAL f_word* lo, const GLOBAL f_word* hi, u32 lobits, const GLOBAL f_word* cf) {
	LOCAL f_word sh[f_N << NTT_LOCAL_LOG];
	u32 lid = LOCAL_ID(), ls = LOCAL_SIZE();
	u32 size = 1u << (lb + c), nbfly = size >> 1, cm = (1u << c) - 1u;
	u32 base = ntt_block_base(GROUP_ID(), lb, s, c);
	u32 lo0 = base & ((1u << s) - 1u);
	for (u32 e = lid; e < size; e += ls) ntt_lset(sh, e, ntt_fix_load(a, base + ((e >> c) << s) + (e & cm), logn, fix, rev, lo, hi, lobits));
	BARRIER();
	for (i32 lm = (i32)lb - 1; lm >= 0; lm--) {
		u32 logm = (u32)lm + s; // the stage's global half-span is 2^logm
		for (u32 t = lid; t < nbfly; t += ls) {
			u32 q = t & cm, tt = t >> c;
			u32 j = tt & ((1u << lm) - 1u);
			u32 i0 = ((((tt >> lm) << (lm + 1)) | j) << c) | q;
			u32 i1 = i0 + (1u << (lm + c));
			u32 jg = (j << s) | (lo0 + q); // the butterfly's offset in its global span
			f_t x = ntt_lget(sh, i0);
			f_t y = ntt_lget(sh, i1);
			f_t d = f_sub(x, y);
			if (jg != 0) d = f_mul(d, f_load(tw, jg << (logn - 1 - logm)));
			ntt_lset(sh, i0, f_add(x, y));
			ntt_lset(sh, i1, d);
		}
		BARRIER();
	}
	for (u32 e = lid; e < size; e += ls) ntt_fix_store(a, base + ((e >> c) << s) + (e & cm), ntt_lget(sh, e), logn, fix, rev, lo, hi, lobits, cf);
}

// ntt_dit_local runs the DIT stages with half-spans 2^s up to 2^(s+lb−1)
// on 2^c columns per work-group, in local memory.
KERNEL void ntt_dit_local(GLOBAL f_word* a, u32 logn, u32 lb, u32 s, u32 c, const GLOBAL f_word* tw, u32 fix, u32 rev,
		const GLOBAL f_word* lo, const GLOBAL f_word* hi, u32 lobits, const GLOBAL f_word* cf) {
	LOCAL f_word sh[f_N << NTT_LOCAL_LOG];
	u32 lid = LOCAL_ID(), ls = LOCAL_SIZE();
	u32 size = 1u << (lb + c), nbfly = size >> 1, cm = (1u << c) - 1u;
	u32 base = ntt_block_base(GROUP_ID(), lb, s, c);
	u32 lo0 = base & ((1u << s) - 1u);
	for (u32 e = lid; e < size; e += ls) ntt_lset(sh, e, ntt_fix_load(a, base + ((e >> c) << s) + (e & cm), logn, fix, rev, lo, hi, lobits));
	BARRIER();
	for (u32 lm = 0; lm < lb; lm++) {
		u32 logm = lm + s;
		for (u32 t = lid; t < nbfly; t += ls) {
			u32 q = t & cm, tt = t >> c;
			u32 j = tt & ((1u << lm) - 1u);
			u32 i0 = ((((tt >> lm) << (lm + 1)) | j) << c) | q;
			u32 i1 = i0 + (1u << (lm + c));
			u32 jg = (j << s) | (lo0 + q);
			f_t x = ntt_lget(sh, i0);
			f_t y = ntt_lget(sh, i1);
			if (jg != 0) y = f_mul(y, f_load(tw, jg << (logn - 1 - logm)));
			ntt_lset(sh, i0, f_add(x, y));
			ntt_lset(sh, i1, f_sub(x, y));
		}
		BARRIER();
	}
	for (u32 e = lid; e < size; e += ls) ntt_fix_store(a, base + ((e >> c) << s) + (e & cm), ntt_lget(sh, e), logn, fix, rev, lo, hi, lobits, cf);
}
