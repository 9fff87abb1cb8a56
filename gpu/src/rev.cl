// What the NTT, the PLONK quotient and the field tests (ntt.cl, plonk.cl,
// fieldtest.cl) share over the field instance f: its word type, and the
// bit reversal of an index.

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
