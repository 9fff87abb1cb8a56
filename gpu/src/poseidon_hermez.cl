// Polygon Hermez's Poseidon over Goldilocks (field instance gl): width 12,
// 4 + 22 + 4 rounds, x^7, in the optimized form that 0xPolygonHermez's
// goldilocks and go-iden3-crypto's goldenposeidon run (see
// internal/hermezparams). The host defines, in Montgomery form:
//   HERMEZ_RC[118]       round constants, in the order they are added
//   HERMEZ_MDS[144]      M, row-major: s'[i] = Σ_j M[i·12+j]·s[j]
//   HERMEZ_PRE[144]      P, row-major, same convention
//   HERMEZ_SPARSE[506]   23 per partial round: w[0..11], then v[0..10]

#define HERMEZ_W 12

// HERMEZ_C(tab, i) is element i of a constant table (indexed in place: a
// pointer to constant memory is not portable to CUDA).
#define HERMEZ_C(tab, i) hermez_word((tab)[i])

DEVICE gl_t hermez_word(u64 w) {
	gl_t r;
	r.v[0] = w;
	return r;
}

DEVICE gl_t hermez_sbox(gl_t x) {
	gl_t x2 = gl_sqr(x);
	gl_t x3 = gl_mul(x2, x);
	gl_t x4 = gl_sqr(x2);
	return gl_mul(x4, x3);
}

// hermez_mat sets s to M·s, or to P·s where pre.
DEVICE void hermez_mat(gl_t* s, int pre) {
	gl_t out[HERMEZ_W];
	for (u32 i = 0; i < HERMEZ_W; i++) {
		gl_t acc = gl_zero();
		for (u32 j = 0; j < HERMEZ_W; j++) {
			gl_t m = pre ? HERMEZ_C(HERMEZ_PRE, i * HERMEZ_W + j) : HERMEZ_C(HERMEZ_MDS, i * HERMEZ_W + j);
			acc = gl_add(acc, gl_mul(m, s[j]));
		}
		out[i] = acc;
	}
	for (u32 i = 0; i < HERMEZ_W; i++) s[i] = out[i];
}

// hermez_hash permutes the state in[12i … 12i+11] (8 inputs, 4 capacity
// elements) and writes its first 4 elements into out[4i … 4i+3], i < n.
KERNEL void hermez_hash(const GLOBAL u64* in, GLOBAL u64* out, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	gl_t s[HERMEZ_W];
	for (u32 j = 0; j < HERMEZ_W; j++) s[j] = gl_add(gl_load(in + (u64)i * HERMEZ_W, j), HERMEZ_C(HERMEZ_RC, j));
	u32 rc = HERMEZ_W;
	for (u32 r = 0; r < 4; r++) {
		for (u32 j = 0; j < HERMEZ_W; j++) s[j] = gl_add(hermez_sbox(s[j]), HERMEZ_C(HERMEZ_RC, rc + j));
		rc += HERMEZ_W;
		hermez_mat(s, r == 3);
	}
	for (u32 r = 0; r < 22; r++) {
		s[0] = gl_add(hermez_sbox(s[0]), HERMEZ_C(HERMEZ_RC, rc + r));
		u32 sp = r * (2 * HERMEZ_W - 1);
		gl_t s0 = gl_mul(HERMEZ_C(HERMEZ_SPARSE, sp), s[0]);
		for (u32 k = 1; k < HERMEZ_W; k++) {
			s0 = gl_add(s0, gl_mul(HERMEZ_C(HERMEZ_SPARSE, sp + k), s[k]));
			s[k] = gl_add(s[k], gl_mul(HERMEZ_C(HERMEZ_SPARSE, sp + HERMEZ_W + k - 1), s[0]));
		}
		s[0] = s0;
	}
	rc += 22;
	for (u32 r = 0; r < 3; r++) {
		for (u32 j = 0; j < HERMEZ_W; j++) s[j] = gl_add(hermez_sbox(s[j]), HERMEZ_C(HERMEZ_RC, rc + j));
		rc += HERMEZ_W;
		hermez_mat(s, 0);
	}
	for (u32 j = 0; j < HERMEZ_W; j++) s[j] = hermez_sbox(s[j]);
	hermez_mat(s, 0);
	for (u32 j = 0; j < 4; j++) gl_store(out + (u64)i * 4, j, s[j]);
}
