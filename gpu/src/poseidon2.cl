// Poseidon2 (Grassi, Khovratovich, Schofnegger, eprint 2023/323) as
// gnark-crypto's poseidon2 packages define it, over the field instance fe
// (fe_t, fe_add, fe_mul …). The host defines before this text:
//   FE_WORD   the element's word type in global memory (u64 or u32)
//   P2_MAXW   the largest width the program runs
//   P2_SBOX   the S-box degree: 3, 5 or 7
//   P2_M4     the 4×4 block of the external matrix: 0 HorizenLabs' (BN254,
//             Goldilocks), 1 Plonky3's (BabyBear, KoalaBear)
//   P2_FIXED23  defined where widths 2 and 3 have gnark-crypto's fixed
//             internal matrices (BN254): their diagonal is then added, not
//             multiplied
// The width, the round counts and the external matrix are kernel arguments;
// the round keys (rf·w + rp, round after round: w per full round, one per
// partial round) and the internal matrix's diagonal minus one (w elements)
// are buffers.
//
// The external matrix M_E (ext):
//   0  circ(2, 1, …, 1): s_i += Σ s (widths 2 and 3)
//   1  M4 alone (BN254, width 4)
//   2  circ(2·M4, M4, …, M4): M4 on each block of 4, then each s_i plus the
//      sum of the elements of its position in every block (widths 4k)
// The internal matrix is 1 + diag(DiagM1): s_i ← s_i·d_i + Σ s, which is
// also gnark-crypto's fixed matrices of widths 2 and 3 with d = (1, 2) and
// (1, 1, 2).

DEVICE fe_t p2_load(const GLOBAL FE_WORD* base, u64 i) {
	return fe_load(base + i * fe_N, 0);
}

DEVICE void p2_store(GLOBAL FE_WORD* base, u64 i, fe_t a) {
	fe_store(base + i * fe_N, 0, a);
}

// p2_sbox returns x^P2_SBOX.
DEVICE fe_t p2_sbox(fe_t x) {
	fe_t x2 = fe_sqr(x);
#if P2_SBOX == 3
	return fe_mul(x2, x);
#elif P2_SBOX == 5
	return fe_mul(fe_sqr(x2), x);
#elif P2_SBOX == 7
	return fe_mul(fe_mul(fe_sqr(x2), x2), x);
#else
#error "P2_SBOX must be 3, 5 or 7"
#endif
}

#if P2_M4 == 0
// p2_m4 multiplies s[0..3] by HorizenLabs' M4 = [[5 7 1 3] [4 6 1 1]
// [1 3 5 7] [1 1 4 6]] with the addition chain of the Poseidon2 paper
// (appendix B).
DEVICE void p2_m4(fe_t* s) {
	fe_t t0 = fe_add(s[0], s[1]);
	fe_t t1 = fe_add(s[2], s[3]);
	fe_t t2 = fe_add(fe_double(s[1]), t1);
	fe_t t3 = fe_add(fe_double(s[3]), t0);
	fe_t t4 = fe_add(fe_double(fe_double(t1)), t3);
	fe_t t5 = fe_add(fe_double(fe_double(t0)), t2);
	s[0] = fe_add(t3, t5);
	s[1] = t5;
	s[2] = fe_add(t2, t4);
	s[3] = t4;
}
#else
// p2_m4 multiplies s[0..3] by Plonky3's M4 = [[2 3 1 1] [1 2 3 1]
// [1 1 2 3] [3 1 1 2]].
DEVICE void p2_m4(fe_t* s) {
	fe_t t01 = fe_add(s[0], s[1]);
	fe_t t23 = fe_add(s[2], s[3]);
	fe_t t0123 = fe_add(t01, t23);
	fe_t t01123 = fe_add(t0123, s[1]);
	fe_t t01233 = fe_add(t0123, s[3]);
	s[3] = fe_add(fe_double(s[0]), t01233);
	s[1] = fe_add(fe_double(s[2]), t01123);
	s[0] = fe_add(t01, t01123);
	s[2] = fe_add(t23, t01233);
}
#endif

DEVICE void p2_external(fe_t* s, u32 w, u32 ext) {
	if (ext == 0) {
		fe_t sum = s[0];
		for (u32 i = 1; i < w; i++) sum = fe_add(sum, s[i]);
		for (u32 i = 0; i < w; i++) s[i] = fe_add(s[i], sum);
		return;
	}
	for (u32 i = 0; i + 4 <= w; i += 4) p2_m4(s + i);
	if (ext == 1) return;
	fe_t sum[4];
	for (u32 r = 0; r < 4; r++) sum[r] = s[r];
	for (u32 i = 4; i + 4 <= w; i += 4)
		for (u32 r = 0; r < 4; r++) sum[r] = fe_add(sum[r], s[i + r]);
	for (u32 i = 0; i + 4 <= w; i += 4)
		for (u32 r = 0; r < 4; r++) s[i + r] = fe_add(s[i + r], sum[r]);
}

DEVICE void p2_internal(fe_t* s, u32 w, const GLOBAL FE_WORD* diag) {
	fe_t sum = s[0];
	for (u32 i = 1; i < w; i++) sum = fe_add(sum, s[i]);
#ifdef P2_FIXED23
	if (w <= 3) { // gnark-crypto's fixed matrices: diagonal (1, …, 1, 2), no multiplication
		for (u32 i = 0; i + 1 < w; i++) s[i] = fe_add(s[i], sum);
		s[w - 1] = fe_add(fe_double(s[w - 1]), sum);
		return;
	}
#endif
	for (u32 i = 0; i < w; i++) s[i] = fe_add(fe_mul(s[i], p2_load(diag, i)), sum);
}

DEVICE void p2_full(fe_t* s, u32 w, u32 ext, const GLOBAL FE_WORD* k) {
	for (u32 i = 0; i < w; i++) s[i] = p2_sbox(fe_add(s[i], p2_load(k, i)));
	p2_external(s, w, ext);
}

// p2_permute applies the permutation to s[0..w−1]: M_E, ⌊rf/2⌋ full
// rounds, rp partial rounds, the other full rounds.
DEVICE void p2_permute(fe_t* s, u32 w, u32 rf, u32 rp, u32 ext, const GLOBAL FE_WORD* keys, const GLOBAL FE_WORD* diag) {
	p2_external(s, w, ext);
	u32 nh = rf / 2;
	for (u32 r = 0; r < nh; r++) p2_full(s, w, ext, keys + (u64)r * w * fe_N);
	const GLOBAL FE_WORD* k = keys + (u64)nh * w * fe_N;
	// Rolled: each partial round needs the one before, and unrolled (by
	// NVRTC's choice) the BN254 Merkle layer took 96 registers, 66 rolled
	// (sm_90), three blocks of 256 threads an SM instead of two.
	ROLLED
	for (u32 r = 0; r < rp; r++) {
		s[0] = p2_sbox(fe_add(s[0], p2_load(k, r)));
		p2_internal(s, w, diag);
	}
	k += (u64)rp * fe_N;
	for (u32 r = 0; r < rf - nh; r++) p2_full(s, w, ext, k + (u64)r * w * fe_N);
}

// p2_run permutes states[i·w … i·w+w−1] in place.
DEVICE void p2_run(GLOBAL FE_WORD* states, u32 i, u32 w, u32 rf, u32 rp, u32 ext, const GLOBAL FE_WORD* keys,
                   const GLOBAL FE_WORD* diag) {
	fe_t s[P2_MAXW];
	for (u32 j = 0; j < w; j++) s[j] = p2_load(states, (u64)i * w + j);
	p2_permute(s, w, rf, rp, ext, keys, diag);
	for (u32 j = 0; j < w; j++) p2_store(states, (u64)i * w + j, s[j]);
}

// poseidon2_permute permutes the states[i·w … i·w+w−1] in place, i < n.
// For the widths the host lists as P2_W0, P2_W1, … it runs p2_run with the
// width a constant, so that the compiler unrolls the loops over the state
// and keeps it in registers rather than in (slow) per-thread memory.
KERNEL void poseidon2_permute(GLOBAL FE_WORD* states, const GLOBAL FE_WORD* keys, const GLOBAL FE_WORD* diag,
                              u32 w, u32 rf, u32 rp, u32 ext, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	switch (w) {
#ifdef P2_W0
	case P2_W0: p2_run(states, i, P2_W0, rf, rp, ext, keys, diag); return;
#endif
#ifdef P2_W1
	case P2_W1: p2_run(states, i, P2_W1, rf, rp, ext, keys, diag); return;
#endif
#ifdef P2_W2
	case P2_W2: p2_run(states, i, P2_W2, rf, rp, ext, keys, diag); return;
#endif
	default: p2_run(states, i, w, rf, rp, ext, keys, diag);
	}
}

// poseidon2_merkle_layer compresses pairs of nodes with gnark-crypto's
// width-2 Compress (permute (l, r), then the second element plus r): node i
// of the layer at element dst is the compression of nodes 2i and 2i+1 of
// the layer at element src, i < n.
KERNEL void poseidon2_merkle_layer(GLOBAL FE_WORD* nodes, const GLOBAL FE_WORD* keys, const GLOBAL FE_WORD* diag,
                                   u32 rf, u32 rp, u64 src, u64 dst, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	fe_t s[2];
	s[0] = p2_load(nodes, src + 2 * (u64)i);
	s[1] = p2_load(nodes, src + 2 * (u64)i + 1);
	fe_t right = s[1];
	p2_permute(s, 2, rf, rp, 0, keys, diag);
	p2_store(nodes, dst + i, fe_add(s[1], right));
}
