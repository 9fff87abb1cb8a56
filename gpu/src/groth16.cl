// Groth16's quotient over the field instance f (see groth16.go): with A, B
// and C evaluated on the coset g·⟨ω⟩, where Xⁿ − 1 is the constant gⁿ − 1,
// groth16_h writes (A·B − C)/(gⁿ − 1) over A.

// groth16_h writes a[i] = (a[i]·b[i] − c[i])·den[0] for i < n.
KERNEL void groth16_h(GLOBAL f_word* a, const GLOBAL f_word* b, const GLOBAL f_word* c, const GLOBAL f_word* den, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	f_store(a, i, f_mul(f_sub(f_mul(f_load(a, i), f_load(b, i)), f_load(c, i)), f_load(den, 0)));
}
