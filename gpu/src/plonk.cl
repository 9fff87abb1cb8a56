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

// plonk_scatter writes buf[idx[j]] = c[0] for j < n: a wire's rows that
// its commitment reads as zero, then their value again (plonk_wires.go).
KERNEL void plonk_scatter(GLOBAL f_word* buf, const GLOBAL u32* idx, u32 n, const GLOBAL f_word* c) {
	u32 j = GLOBAL_ID();
	if (j >= n) return;
	f_store(buf, idx[j], f_load(c, 0));
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

// PLONK's copy-constraint ratio Z over the field instance f (plonk_ratio.go):
// Z(ω⁰) = 1 and Z(ωⁱ⁺¹) = Z(ωⁱ)·numᵢ/denᵢ for i < m = n − 1, with
//
//	numᵢ = (Lᵢ + β·ωⁱ + γ)(Rᵢ + β·u·ωⁱ + γ)(Oᵢ + β·u²·ωⁱ + γ)
//	denᵢ = (Lᵢ + β·σ1ᵢ + γ)(Rᵢ + β·σ2ᵢ + γ)(Oᵢ + β·σ3ᵢ + γ)
//
// in three kernels, so that no element is inverted but the product of
// every denominator: Z(ωⁱ⁺¹) = (Π_{t≤i} numₜ)·(Π_{t>i} denₜ)·(Π_t denₜ)⁻¹.
// plonk_ratio_chunks cuts the indices into chunks of k, plonk_ratio_scan
// chains the chunks' products, plonk_ratio_finish multiplies.
//
// The constants buffer holds β, γ and u at PLONK_R_BETA ….
#define PLONK_R_BETA 0
#define PLONK_R_GAMMA 1
#define PLONK_R_U 2

// plonk_ratio_chunks: work item j takes the indices i of [j·k, (j+1)·k)
// below m and writes zn[i] = Π numₜ and zs[i] = Π denₜ over the chunk's t
// up to i (inclusive) and after i (exclusive) respectively, and the
// chunk's products to tn[j] and td[j]. pw holds ωⁱ.
KERNEL void plonk_ratio_chunks(GLOBAL f_word* zn, GLOBAL f_word* zs, GLOBAL f_word* tn, GLOBAL f_word* td,
		const GLOBAL f_word* l, const GLOBAL f_word* r, const GLOBAL f_word* o,
		const GLOBAL f_word* s1, const GLOBAL f_word* s2, const GLOBAL f_word* s3,
		const GLOBAL f_word* pw, const GLOBAL f_word* cst, u32 m, u32 k) {
	u32 j = GLOBAL_ID();
	u32 lo = j * k;
	if (lo >= m) return;
	u32 hi = min(lo + k, m);
	f_t beta = f_load(cst, PLONK_R_BETA), gamma = f_load(cst, PLONK_R_GAMMA);
	f_t bu = f_mul(beta, f_load(cst, PLONK_R_U)); // β·u
	f_t buu = f_mul(bu, f_load(cst, PLONK_R_U)); // β·u²
	f_t acc = f_one();
	for (u32 i = lo; i < hi; i++) {
		f_t w = f_load(pw, i);
		f_t lv = f_load(l, i), rv = f_load(r, i), ov = f_load(o, i);
		f_t num = f_add(f_add(lv, f_mul(beta, w)), gamma);
		num = f_mul(num, f_add(f_add(rv, f_mul(bu, w)), gamma));
		num = f_mul(num, f_add(f_add(ov, f_mul(buu, w)), gamma));
		f_t den = f_add(f_add(lv, f_mul(beta, f_load(s1, i))), gamma);
		den = f_mul(den, f_add(f_add(rv, f_mul(beta, f_load(s2, i))), gamma));
		den = f_mul(den, f_add(f_add(ov, f_mul(beta, f_load(s3, i))), gamma));
		acc = f_mul(acc, num);
		f_store(zn, i, acc);
		f_store(zs, i, den); // the denominators, turned into suffix products below
	}
	f_store(tn, j, acc);
	acc = f_one();
	for (u32 i = hi; i > lo; i--) {
		f_t den = f_load(zs, i - 1);
		f_store(zs, i - 1, acc);
		acc = f_mul(acc, den);
	}
	f_store(td, j, acc);
}

// plonk_ratio_scan, one work-group of g work items over the c chunks'
// products tn and td: turns tn[j] into Π tn over the chunks before j and
// td[j] into Π td over the chunks after j; writes into inv[0] the inverse
// of the product of every denominator, and flag[0] = 1 where it is zero.
// Work item t takes the chunks [t·q, (t+1)·q); seg (2g elements) holds
// the segments' products, which work item 0 chains.
KERNEL void plonk_ratio_scan(GLOBAL f_word* tn, GLOBAL f_word* td, GLOBAL f_word* seg, GLOBAL f_word* inv,
		GLOBAL u32* flag, u32 c, u32 q) {
	u32 t = LOCAL_ID(), g = LOCAL_SIZE();
	u32 lo = min(t * q, c), hi = min(lo + q, c);
	f_t acc = f_one();
	for (u32 j = lo; j < hi; j++) { // exclusive prefix products of tn
		f_t v = f_load(tn, j);
		f_store(tn, j, acc);
		acc = f_mul(acc, v);
	}
	f_store(seg, t, acc);
	acc = f_one();
	for (u32 j = hi; j > lo; j--) { // exclusive suffix products of td
		f_t v = f_load(td, j - 1);
		f_store(td, j - 1, acc);
		acc = f_mul(acc, v);
	}
	f_store(seg, g + t, acc);
	BARRIER();
	if (t == 0) {
		f_t a = f_one();
		for (u32 s = 0; s < g; s++) { // the segments before s, forward
			f_t v = f_load(seg, s);
			f_store(seg, s, a);
			a = f_mul(a, v);
		}
		a = f_one();
		for (u32 s = g; s > 0; s--) { // the segments after s − 1, backward
			f_t v = f_load(seg, g + s - 1);
			f_store(seg, g + s - 1, a);
			a = f_mul(a, v);
		}
		flag[0] = f_is_zero(a) ? 1u : 0u;
		f_store(inv, 0, f_inv(a));
	}
	BARRIER();
	f_t before = f_load(seg, t), after = f_load(seg, g + t);
	for (u32 j = lo; j < hi; j++) {
		f_store(tn, j, f_mul(f_load(tn, j), before));
		f_store(td, j, f_mul(f_load(td, j), after));
	}
}

// plonk_ratio_finish writes z[0] = 1 and z[i+1] = zn[i]·tn[j]·zs[i]·td[j]·
// inv[0] for i < m, j = i/k: Π_{t≤i} numₜ · Π_{t>i} denₜ / Π_t denₜ.
KERNEL void plonk_ratio_finish(GLOBAL f_word* z, const GLOBAL f_word* zn, const GLOBAL f_word* zs,
		const GLOBAL f_word* tn, const GLOBAL f_word* td, const GLOBAL f_word* inv, u32 m, u32 k) {
	u32 i = GLOBAL_ID();
	if (i == 0) f_store(z, 0, f_one());
	if (i >= m) return;
	u32 j = i / k;
	f_t v = f_mul(f_load(zn, i), f_load(tn, j));
	v = f_mul(v, f_mul(f_load(zs, i), f_load(td, j)));
	f_store(z, i + 1, f_mul(v, f_load(inv, 0)));
}

// The openings' kernels (plonk_open.go) work on coefficient vectors held
// on the device, read and written from element offsets; constants (points,
// coefficients) are read from a buffer at an index.

// poly_axpy writes out[oo + i] += cs[ci]·v[ov + i] for i < n.
KERNEL void poly_axpy(GLOBAL f_word* out, u32 oo, const GLOBAL f_word* v, u32 ov, const GLOBAL f_word* cs, u32 ci, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_store(out, oo + i, f_add(f_load(out, oo + i), f_mul(f_load(cs, ci), f_load(v, ov + i))));
}

// poly_chunks writes out[oo + j] = Σₜ v[ov + j·chunk + t]·xᵗ (t < chunk,
// within the n coefficients from ov; the last chunk may be short), x =
// xs[xi]: chunk j's value at x, by Horner's rule. A polynomial's value at
// x is its chunks' values, as coefficients, at x^chunk. The same values
// are the chunks' bottom sums of a division by X − x with nothing carried
// into them (poly_scan).
KERNEL void poly_chunks(GLOBAL f_word* out, u32 oo, const GLOBAL f_word* v, u32 ov, u32 n,
		const GLOBAL f_word* xs, u32 xi, u32 chunk) {
	u32 j = GLOBAL_ID();
	if (j >= (n + chunk - 1u) / chunk) return;
	u32 lo = j * chunk;
	u32 hi = n - lo > chunk ? lo + chunk : n;
	f_t x = f_load(xs, xi);
	f_t acc = f_zero();
	for (u32 t = hi; t > lo; t--) acc = f_add(f_mul(acc, x), f_load(v, ov + t - 1u));
	f_store(out, oo + j, acc);
}

// poly_scan writes r[ro + i] = Σ_{t ≥ i} f[fo + t]·a^(t−i) for i < n, a =
// xs[xi]: the suffix sums whose r[ro + 1 …] are the coefficients of the
// quotient of f by X − a (and r[ro] = f(a)). Work item j runs chunk j's
// chunk coefficients from the top down, starting from what the chunks
// above carry: carry[j + 1], the next chunk's bottom sum, where j + 1 < nc,
// else zero.
KERNEL void poly_scan(GLOBAL f_word* r, u32 ro, const GLOBAL f_word* f, u32 fo, u32 n,
		const GLOBAL f_word* xs, u32 xi, u32 chunk, const GLOBAL f_word* carry, u32 nc) {
	u32 j = GLOBAL_ID();
	if (j >= (n + chunk - 1u) / chunk) return;
	u32 lo = j * chunk;
	u32 hi = n - lo > chunk ? lo + chunk : n;
	f_t a = f_load(xs, xi);
	f_t acc = j + 1u < nc ? f_load(carry, j + 1u) : f_zero();
	for (u32 t = hi; t > lo; t--) {
		acc = f_add(f_mul(acc, a), f_load(f, fo + t - 1u));
		f_store(r, ro + t - 1u, acc);
	}
}
