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

#ifndef f_word
#ifdef f_P32
#define f_word u32
#else
#define f_word u64
#endif
#endif

// ntt_rev returns the low logn bits of i in reverse order.
DEVICE u32 ntt_rev(u32 i, u32 logn) {
	if (logn == 0) return 0;
#ifdef ZK_CUDA
	return __brev(i) >> (32 - logn);
#else
	i = ((i >> 1) & 0x55555555u) | ((i & 0x55555555u) << 1);
	i = ((i >> 2) & 0x33333333u) | ((i & 0x33333333u) << 2);
	i = ((i >> 4) & 0x0F0F0F0Fu) | ((i & 0x0F0F0F0Fu) << 4);
	i = ((i >> 8) & 0x00FF00FFu) | ((i & 0x00FF00FFu) << 8);
	i = (i >> 16) | (i << 16);
	return i >> (32 - logn);
#endif
}

// ntt_powers writes out[i] = base^(i·stride) for i < n.
KERNEL void ntt_powers(GLOBAL f_word* out, u32 n, const GLOBAL f_word* base, u64 stride) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_store(out, i, f_pow(f_load(base, 0), (u64)i * stride));
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

// ntt_dif_local runs the last lb DIF stages (half-spans 2^(lb−1) … 1) on
// blocks of 2^lb consecutive elements, one block per work-group, in local
// memory (lb ≤ NTT_LOCAL_LOG).
KERNEL void ntt_dif_local(GLOBAL f_word* a, u32 logn, u32 lb, const GLOBAL f_word* tw) {
	LOCAL f_t sh[1 << NTT_LOCAL_LOG];
	u32 lid = LOCAL_ID(), ls = LOCAL_SIZE();
	u32 size = 1u << lb, nbfly = size >> 1;
	u32 base = GROUP_ID() << lb;
	for (u32 k = lid; k < size; k += ls) sh[k] = f_load(a, base + k);
	BARRIER();
	for (i32 logm = (i32)lb - 1; logm >= 0; logm--) {
		for (u32 t = lid; t < nbfly; t += ls) {
			u32 j = t & ((1u << logm) - 1u);
			u32 i0 = ((t >> logm) << (logm + 1)) | j;
			u32 i1 = i0 + (1u << logm);
			f_t x = sh[i0];
			f_t y = sh[i1];
			f_t d = f_sub(x, y);
			if (j != 0) d = f_mul(d, f_load(tw, j << (logn - 1 - (u32)logm)));
			sh[i0] = f_add(x, y);
			sh[i1] = d;
		}
		BARRIER();
	}
	for (u32 k = lid; k < size; k += ls) f_store(a, base + k, sh[k]);
}

// ntt_dit_local runs the first lb DIT stages (half-spans 1 … 2^(lb−1)) on
// blocks of 2^lb consecutive elements, one block per work-group, in local
// memory (lb ≤ NTT_LOCAL_LOG).
KERNEL void ntt_dit_local(GLOBAL f_word* a, u32 logn, u32 lb, const GLOBAL f_word* tw) {
	LOCAL f_t sh[1 << NTT_LOCAL_LOG];
	u32 lid = LOCAL_ID(), ls = LOCAL_SIZE();
	u32 size = 1u << lb, nbfly = size >> 1;
	u32 base = GROUP_ID() << lb;
	for (u32 k = lid; k < size; k += ls) sh[k] = f_load(a, base + k);
	BARRIER();
	for (u32 logm = 0; logm < lb; logm++) {
		for (u32 t = lid; t < nbfly; t += ls) {
			u32 j = t & ((1u << logm) - 1u);
			u32 i0 = ((t >> logm) << (logm + 1)) | j;
			u32 i1 = i0 + (1u << logm);
			f_t x = sh[i0];
			f_t y = sh[i1];
			if (j != 0) y = f_mul(y, f_load(tw, j << (logn - 1 - logm)));
			sh[i0] = f_add(x, y);
			sh[i1] = f_sub(x, y);
		}
		BARRIER();
	}
	for (u32 k = lid; k < size; k += ls) f_store(a, base + k, sh[k]);
}
