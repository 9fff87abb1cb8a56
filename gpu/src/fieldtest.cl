// Test kernels for a field instance f (prefix "f", from field64.cl or
// field32.cl): every operation of the template on arrays, so that the host
// can compare each with gnark-crypto. Not used by any op. Its word type
// f_word comes from rev.cl, which goes before it.

// The operations field_ops writes, in this order, n elements each.
#define FT_ADD 0
#define FT_SUB 1
#define FT_NEG 2
#define FT_DOUBLE 3
#define FT_MUL 4
#define FT_SQR 5
#define FT_FROM_MONT 6
#define FT_TO_MONT 7
#define FT_POW 8
#define FT_ONE 9
#define FT_ZERO 10
#define FT_OPS 11

// field_ops computes, for i < n, every operation on x = a[i], y = b[i]:
// out[op·n + i] for op < FT_OPS (to_mont takes b[i] as a canonical value,
// pow takes the exponent e[i]), and flags[2i] = eq(x, y),
// flags[2i+1] = is_zero(x).
KERNEL void field_ops(GLOBAL f_word* out, GLOBAL u32* flags, const GLOBAL f_word* a,
		const GLOBAL f_word* b, const GLOBAL u64* e, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_t x = f_load(a, i);
	f_t y = f_load(b, i);
	f_store(out, FT_ADD * n + i, f_add(x, y));
	f_store(out, FT_SUB * n + i, f_sub(x, y));
	f_store(out, FT_NEG * n + i, f_neg(x));
	f_store(out, FT_DOUBLE * n + i, f_double(x));
	f_store(out, FT_MUL * n + i, f_mul(x, y));
	f_store(out, FT_SQR * n + i, f_sqr(x));
	f_store(out, FT_FROM_MONT * n + i, f_from_mont(x));
	f_store(out, FT_TO_MONT * n + i, f_to_mont(y));
	f_store(out, FT_POW * n + i, f_pow(x, e[i]));
	f_store(out, FT_ONE * n + i, f_one());
	f_store(out, FT_ZERO * n + i, f_zero());
	flags[2 * i] = (u32)f_eq(x, y);
	flags[2 * i + 1] = (u32)f_is_zero(x);
}
