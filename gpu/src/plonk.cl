// PLONK's quotient over the field instance f (a curve's scalar field),
// pointwise on one coset c·⟨ω⟩ of the small domain (see plonk.go): the
// host transforms every polynomial onto the coset with the NTT kernels
// (DIF: natural order in, bit-reversed order out), then plonk_quotient
// evaluates the constraint polynomial N at each point and stores
// N/(Xⁿ − 1) where the large coset's inverse NTT (DIT) reads it.
//
// The constants buffer holds α, β, γ, u (the permutation's coset shift)
// and ω (the small domain's generator) at PLONK_ALPHA … PLONK_OMEGA, then
// for each coset i, from PLONK_COSETS + 3i: cᵢ, cᵢⁿ − 1 and its inverse.

#define PLONK_ALPHA 0
#define PLONK_BETA 1
#define PLONK_GAMMA 2
#define PLONK_U 3
#define PLONK_OMEGA 4
#define PLONK_COSETS 5

// plonk_copy writes dst[i] = src[i] for i < n.
KERNEL void plonk_copy(GLOBAL f_word* dst, const GLOBAL f_word* src, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_store(dst, i, f_load(src, i));
}

// plonk_copy_rev writes dst[rev(i)] = src[i] for i < 2^logn, rev the bit
// reversal of logn bits: values in natural order laid out for an inverse
// DIT transform, which interpolates them into coefficients in natural order.
KERNEL void plonk_copy_rev(GLOBAL f_word* dst, const GLOBAL f_word* src, u32 logn) {
	u32 i = GLOBAL_ID();
	if (i >= (1u << logn)) return;
	f_store(dst, ntt_rev(i, logn), f_load(src, i));
}

// plonk_fill writes dst[i] = c[0] for i < n.
KERNEL void plonk_fill(GLOBAL f_word* dst, const GLOBAL f_word* c, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_store(dst, i, f_load(c, 0));
}

// plonk_muladd writes acc[i] += a[i]·b[i] for i < n: a commitment's
// Qcp·Pi term, folded into Qk's evaluations.
KERNEL void plonk_muladd(GLOBAL f_word* acc, const GLOBAL f_word* a, const GLOBAL f_word* b, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_store(acc, i, f_add(f_load(acc, i), f_mul(f_load(a, i), f_load(b, i))));
}

// plonk_horner returns b(x) for the polynomial b of nb coefficients at
// b[off], lowest first (zeros pad the short ones at the top, which adds
// nothing).
DEVICE f_t plonk_horner(const GLOBAL f_word* b, u32 off, u32 nb, f_t x) {
	f_t acc = f_zero();
	for (u32 k = nb; k > 0; k--) acc = f_add(f_mul(acc, x), f_load(b, off + k - 1));
	return acc;
}

// plonk_quotient computes, for the points x = cᵢ·ωʲ (j < 2^logn) of coset
// i, N(x)/(xⁿ − 1) into out at the bit reversal (logm bits) of rho·j + i,
// the point's natural index in the large coset. The evaluations (ql … z
// and l1, L₁'s) are in bit-reversed order; qk already holds Σ Qcp·Pi; pw
// holds ωʲ; blind holds L's, R's, O's and Z's blinding polynomials, nb
// coefficients each.
KERNEL void plonk_quotient(GLOBAL f_word* out, u32 logn, u32 logm, u32 rho, u32 coset,
		const GLOBAL f_word* ql, const GLOBAL f_word* qr, const GLOBAL f_word* qm, const GLOBAL f_word* qo,
		const GLOBAL f_word* qk, const GLOBAL f_word* s1, const GLOBAL f_word* s2, const GLOBAL f_word* s3,
		const GLOBAL f_word* l, const GLOBAL f_word* r, const GLOBAL f_word* o, const GLOBAL f_word* z,
		const GLOBAL f_word* l1, const GLOBAL f_word* pw, const GLOBAL f_word* consts,
		const GLOBAL f_word* blind, u32 nb) {
	u32 j = GLOBAL_ID();
	u32 n = 1u << logn;
	if (j >= n) return;
	u32 at = ntt_rev(j, logn);
	u32 next = ntt_rev((j + 1u) & (n - 1u), logn);
	u32 ci = PLONK_COSETS + 3u * coset;
	f_t cn = f_load(consts, ci + 1u);
	f_t x = f_mul(f_load(consts, ci), f_load(pw, j));

	// The blinded wires and ratio: P + b(x)·(xⁿ − 1), with xⁿ = cᵢⁿ.
	f_t lv = f_add(f_load(l, at), f_mul(plonk_horner(blind, 0u, nb, x), cn));
	f_t rv = f_add(f_load(r, at), f_mul(plonk_horner(blind, nb, nb, x), cn));
	f_t ov = f_add(f_load(o, at), f_mul(plonk_horner(blind, 2u * nb, nb, x), cn));
	f_t zv = f_add(f_load(z, at), f_mul(plonk_horner(blind, 3u * nb, nb, x), cn));
	f_t zs = f_add(f_load(z, next),
		f_mul(plonk_horner(blind, 3u * nb, nb, f_mul(x, f_load(consts, PLONK_OMEGA))), cn));

	// gate
	f_t gate = f_mul(f_load(ql, at), lv);
	gate = f_add(gate, f_mul(f_load(qr, at), rv));
	gate = f_add(gate, f_mul(f_mul(f_load(qm, at), lv), rv));
	gate = f_add(gate, f_mul(f_load(qo, at), ov));
	gate = f_add(gate, f_load(qk, at));

	// ordering
	f_t beta = f_load(consts, PLONK_BETA);
	f_t gamma = f_load(consts, PLONK_GAMMA);
	f_t u = f_load(consts, PLONK_U);
	f_t id = f_mul(x, beta);
	f_t a = f_add(f_add(lv, id), gamma);
	id = f_mul(id, u);
	f_t b = f_add(f_add(rv, id), gamma);
	id = f_mul(id, u);
	f_t c = f_add(f_add(ov, id), gamma);
	f_t right = f_mul(f_mul(f_mul(a, b), c), zv);
	a = f_add(f_add(f_mul(f_load(s1, at), beta), lv), gamma);
	b = f_add(f_add(f_mul(f_load(s2, at), beta), rv), gamma);
	c = f_add(f_add(f_mul(f_load(s3, at), beta), ov), gamma);
	f_t ord = f_sub(f_mul(f_mul(f_mul(a, b), c), zs), right);

	// local: (Z − 1)·L₁; then N = gate + α·(ordering + α·local)
	f_t alpha = f_load(consts, PLONK_ALPHA);
	f_t acc = f_mul(f_sub(zv, f_one()), f_load(l1, at));
	acc = f_add(f_mul(acc, alpha), ord);
	acc = f_add(f_mul(acc, alpha), gate);
	f_store(out, ntt_rev(rho * j + coset, logm), f_mul(acc, f_load(consts, ci + 2u)));
}
