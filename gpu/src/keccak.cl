// Keccak-f[1600] (FIPS 202, section 3) on 25 little-endian 64-bit lanes,
// lane (x, y) at index x + 5y, and Keccak-256 with Ethereum's padding
// (0x01 … 0x80, rate 136 bytes): one work item per state or message.

#define KECCAK_RATE 136
#define KECCAK_ROTL(v, n) (((v) << (n)) | ((v) >> (64 - (n))))

CONSTANT u64 KECCAK_RC[24] = {
	0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808aUL, 0x8000000080008000UL,
	0x000000000000808bUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
	0x000000000000008aUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000aUL,
	0x000000008000808bUL, 0x800000000000008bUL, 0x8000000000008089UL, 0x8000000000008003UL,
	0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800aUL, 0x800000008000000aUL,
	0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
};

// keccak_f1600 permutes a in place: 24 rounds of θ, ρ, π, χ, ι. ρ and π are
// written out lane by lane (B[y, 2x+3y] = rot(A[x, y], r[x, y])), so every
// rotation count is a constant.
DEVICE void keccak_f1600(u64* a) {
	for (int round = 0; round < 24; round++) {
		u64 c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
		u64 c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
		u64 c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
		u64 c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
		u64 c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
		u64 d0 = c4 ^ KECCAK_ROTL(c1, 1);
		u64 d1 = c0 ^ KECCAK_ROTL(c2, 1);
		u64 d2 = c1 ^ KECCAK_ROTL(c3, 1);
		u64 d3 = c2 ^ KECCAK_ROTL(c4, 1);
		u64 d4 = c3 ^ KECCAK_ROTL(c0, 1);

		u64 b[25];
		b[0] = a[0] ^ d0;
		b[10] = KECCAK_ROTL(a[1] ^ d1, 1);
		b[20] = KECCAK_ROTL(a[2] ^ d2, 62);
		b[5] = KECCAK_ROTL(a[3] ^ d3, 28);
		b[15] = KECCAK_ROTL(a[4] ^ d4, 27);
		b[16] = KECCAK_ROTL(a[5] ^ d0, 36);
		b[1] = KECCAK_ROTL(a[6] ^ d1, 44);
		b[11] = KECCAK_ROTL(a[7] ^ d2, 6);
		b[21] = KECCAK_ROTL(a[8] ^ d3, 55);
		b[6] = KECCAK_ROTL(a[9] ^ d4, 20);
		b[7] = KECCAK_ROTL(a[10] ^ d0, 3);
		b[17] = KECCAK_ROTL(a[11] ^ d1, 10);
		b[2] = KECCAK_ROTL(a[12] ^ d2, 43);
		b[12] = KECCAK_ROTL(a[13] ^ d3, 25);
		b[22] = KECCAK_ROTL(a[14] ^ d4, 39);
		b[23] = KECCAK_ROTL(a[15] ^ d0, 41);
		b[8] = KECCAK_ROTL(a[16] ^ d1, 45);
		b[18] = KECCAK_ROTL(a[17] ^ d2, 15);
		b[3] = KECCAK_ROTL(a[18] ^ d3, 21);
		b[13] = KECCAK_ROTL(a[19] ^ d4, 8);
		b[14] = KECCAK_ROTL(a[20] ^ d0, 18);
		b[24] = KECCAK_ROTL(a[21] ^ d1, 2);
		b[9] = KECCAK_ROTL(a[22] ^ d2, 61);
		b[19] = KECCAK_ROTL(a[23] ^ d3, 56);
		b[4] = KECCAK_ROTL(a[24] ^ d4, 14);

		for (int y = 0; y < 25; y += 5) {
			u64 e0 = b[y], e1 = b[y + 1], e2 = b[y + 2], e3 = b[y + 3], e4 = b[y + 4];
			a[y] = e0 ^ (~e1 & e2);
			a[y + 1] = e1 ^ (~e2 & e3);
			a[y + 2] = e2 ^ (~e3 & e4);
			a[y + 3] = e3 ^ (~e4 & e0);
			a[y + 4] = e4 ^ (~e0 & e1);
		}
		a[0] ^= KECCAK_RC[round];
	}
}

// keccak_f1600_batch permutes states[25i … 25i+24] for every i < n.
KERNEL void keccak_f1600_batch(GLOBAL u64* states, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	GLOBAL u64* s = states + (u64)i * 25;
	u64 a[25];
	for (int k = 0; k < 25; k++) a[k] = s[k];
	keccak_f1600(a);
	for (int k = 0; k < 25; k++) s[k] = a[k];
}

// keccak_lane returns lane k of a block at m: the 8 bytes from m + 8k,
// little-endian, with the bytes from len on replaced by the padding's
// (0x01 at len, then zeros) when len < 8k + 8. One 8-byte load where the
// lane is whole and aligned.
DEVICE u64 keccak_lane(const GLOBAL u8* m, u32 k, u64 len) {
	const GLOBAL u8* p = m + 8 * k;
	if (8 * (u64)k + 8 <= len && ((size_t)p & 7) == 0) return *(const GLOBAL u64*)p;
	u64 w = 0;
	for (int b = 7; b >= 0; b--) {
		u64 pos = 8 * (u64)k + (u64)b;
		u64 byte = pos < len ? (u64)p[b] : (pos == len ? 0x01 : 0);
		w = (w << 8) | byte;
	}
	return w;
}

// keccak256_batch writes into out[4i … 4i+3] (32 bytes, little-endian
// lanes) the Keccak-256 digest of message i, data[offsets[i] …
// offsets[i+1]), for every i < n. Every index into the state is a
// constant once the lane loops are unrolled, so that the state stays in
// registers on a GPU.
KERNEL void keccak256_batch(const GLOBAL u8* data, const GLOBAL u64* offsets, GLOBAL u64* out, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	u64 lo = offsets[i], len = offsets[i + 1] - offsets[i];
	const GLOBAL u8* m = data + lo;
	u64 a[25];
	UNROLL
	for (int k = 0; k < 25; k++) a[k] = 0;
	// Whole blocks, then the last partial block (possibly empty) with the
	// padding; a message of a whole number of blocks gets a block of pure
	// padding.
	while (len >= KECCAK_RATE) {
		UNROLL
		for (int k = 0; k < KECCAK_RATE / 8; k++) a[k] ^= keccak_lane(m, k, KECCAK_RATE);
		keccak_f1600(a);
		m += KECCAK_RATE;
		len -= KECCAK_RATE;
	}
	UNROLL
	for (int k = 0; k < KECCAK_RATE / 8; k++) a[k] ^= keccak_lane(m, k, len);
	a[KECCAK_RATE / 8 - 1] ^= (u64)0x80 << 56;
	keccak_f1600(a);
	GLOBAL u64* o = out + (u64)i * 4;
	for (int k = 0; k < 4; k++) o[k] = a[k];
}

// keccak_merkle_layer sets node i of the layer at nodes[dst …] to the
// Keccak-256 of the 64 bytes of nodes i2 and i2+1 of the layer at
// nodes[src …], for every i < n; nodes are 4 lanes (32 bytes) each, and src
// and dst count lanes.
KERNEL void keccak_merkle_layer(GLOBAL u64* nodes, u64 src, u64 dst, u32 n) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	const GLOBAL u64* in = nodes + src + (u64)i * 8;
	u64 a[25];
	for (int k = 0; k < 8; k++) a[k] = in[k];
	for (int k = 8; k < 25; k++) a[k] = 0;
	a[8] = 0x01;
	a[16] = (u64)0x80 << 56;
	keccak_f1600(a);
	GLOBAL u64* o = nodes + dst + (u64)i * 4;
	for (int k = 0; k < 4; k++) o[k] = a[k];
}
