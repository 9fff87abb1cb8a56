// circomlib's Poseidon over BN254's Fr (field instance fr), in the
// optimized form of the Poseidon paper's appendix B as go-iden3-crypto and
// circomlibjs run it (see internal/circomparams): one hash per work item,
// the width t (2 to CIRCOM_MAXW) a kernel argument. The constants of width
// t lie in one buffer, in Montgomery form:
//   C       RF·t + RP optimized round constants
//   MDS     t×t, row-major: s'[i] = Σ_j MDS[i·t+j]·s[j]
//   Pre     t×t, row-major, for the last of the first RF/2 full rounds
//   Sparse  2t−1 per partial round: first row, then first column below it
// with RF = 8.

#define CIRCOM_MAXW 17
#define CIRCOM_RF 8

DEVICE fr_t circom_get(const GLOBAL u64* c, u32 i) { return fr_load(c, i); }

DEVICE fr_t circom_pow5(fr_t x) { return fr_mul(fr_sqr(fr_sqr(x)), x); }

// circom_mat sets s to m·s for the t×t row-major matrix m.
DEVICE void circom_mat(fr_t* s, u32 t, const GLOBAL u64* m) {
	fr_t out[CIRCOM_MAXW];
	for (u32 i = 0; i < t; i++) {
		fr_t acc = fr_mul(circom_get(m, i * t), s[0]);
		for (u32 j = 1; j < t; j++) acc = fr_add(acc, fr_mul(circom_get(m, i * t + j), s[j]));
		out[i] = acc;
	}
	for (u32 i = 0; i < t; i++) s[i] = out[i];
}

// circom_permute applies the permutation of width t with rp partial rounds
// to s[0..t−1].
DEVICE void circom_permute(fr_t* s, u32 t, u32 rp, const GLOBAL u64* consts) {
	const u32 h = CIRCOM_RF / 2;
	const GLOBAL u64* c = consts;
	const GLOBAL u64* mds = consts + (u64)(CIRCOM_RF * t + rp) * fr_N;
	const GLOBAL u64* pre = mds + (u64)t * t * fr_N;
	const GLOBAL u64* sp = pre + (u64)t * t * fr_N;
	for (u32 i = 0; i < t; i++) s[i] = fr_add(s[i], circom_get(c, i));
	c += (u64)t * fr_N;
	for (u32 r = 0; r < h; r++) {
		for (u32 i = 0; i < t; i++) s[i] = fr_add(circom_pow5(s[i]), circom_get(c, i));
		c += (u64)t * fr_N;
		circom_mat(s, t, r < h - 1 ? mds : pre);
	}
	for (u32 j = 0; j < rp; j++) {
		s[0] = fr_add(circom_pow5(s[0]), circom_get(c, j));
		const GLOBAL u64* a = sp + (u64)(2 * t - 1) * j * fr_N;
		// s'[0] = Σ_k a[k]·s[k]; s'[k] = s[k] + a[t+k−1]·s[0] for k ≥ 1.
		fr_t s0 = fr_mul(circom_get(a, 0), s[0]);
		for (u32 k = 1; k < t; k++) {
			s0 = fr_add(s0, fr_mul(circom_get(a, k), s[k]));
			s[k] = fr_add(s[k], fr_mul(circom_get(a, t + k - 1), s[0]));
		}
		s[0] = s0;
	}
	c += (u64)rp * fr_N;
	for (u32 r = 0; r < h - 1; r++) {
		for (u32 i = 0; i < t; i++) s[i] = fr_add(circom_pow5(s[i]), circom_get(c, i));
		c += (u64)t * fr_N;
		circom_mat(s, t, mds);
	}
	for (u32 i = 0; i < t; i++) s[i] = circom_pow5(s[i]);
	circom_mat(s, t, mds);
}

// circom_run hashes input i of width t into out[i].
DEVICE void circom_run(const GLOBAL u64* in, GLOBAL u64* out, const GLOBAL u64* consts, u32 t, u32 rp, u32 i) {
	fr_t s[CIRCOM_MAXW];
	s[0] = fr_zero();
	const GLOBAL u64* x = in + (u64)i * (t - 1) * fr_N;
	for (u32 j = 1; j < t; j++) s[j] = fr_load(x, j - 1);
	circom_permute(s, t, rp, consts);
	fr_store(out + (u64)i * fr_N, 0, s[0]);
}

// circom_hash writes into out[i] the Poseidon hash of in[i·(t−1) …
// i·(t−1)+t−2] (the state [0, inputs…], state[0] out), i < n. Width 3
// (two inputs, the common case) runs with the width a compile-time
// constant, so that the state stays in registers on a GPU.
KERNEL void circom_hash(const GLOBAL u64* in, GLOBAL u64* out, const GLOBAL u64* consts, u32 t, u32 rp, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	if (t == 3) {
		circom_run(in, out, consts, 3, rp, i);
		return;
	}
	circom_run(in, out, consts, t, rp, i);
}

// circom_merkle_layer sets node i of the layer at element dst to
// Poseidon(node 2i, node 2i+1) of the layer at element src (width 3), i < n.
KERNEL void circom_merkle_layer(GLOBAL u64* nodes, const GLOBAL u64* consts, u32 rp, u64 src, u64 dst, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	fr_t s[3];
	s[0] = fr_zero();
	const GLOBAL u64* x = nodes + (src + 2 * (u64)i) * fr_N;
	s[1] = fr_load(x, 0);
	s[2] = fr_load(x, 1);
	circom_permute(s, 3, rp, consts);
	fr_store(nodes + (dst + i) * fr_N, 0, s[0]);
}
