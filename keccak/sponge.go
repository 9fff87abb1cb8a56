package keccak

import "encoding/binary"

//go:generate go run gen_f1600.go

// Why our own permutation rather than golang.org/x/crypto/sha3's: in
// x/crypto v0.54.0 NewLegacyKeccak256 runs a pure-Go Keccak-f[1600] (the
// amd64 assembly now lives in the standard library's crypto/sha3, which has
// no legacy-padding Keccak), behind a hash.Hash that is allocated per hash
// unless reused. Measured on this repository's 2-core AMD EPYC CI machine
// (Go 1.26, GOAMD64=v1, the default), one message at a time, interleaved
// runs, median of 41: sum256 below takes 0.87–0.91× the time of a reused
// x/crypto hasher (Reset, Write, Sum) for 32, 64, 136, 200, 1024 and 10 000
// byte messages (about 310 vs 355 ns for 64 bytes), and it allocates
// nothing. With GOAMD64=v3 (ANDN available) both are within ±3%. So every
// length uses sum256; x/crypto remains the reference of the tests.

// rate is Keccak-256's rate in bytes: 1600 bits less 2·256 bits of capacity.
const rate = 136

// xorBlock XORs the rate-sized block b into the first 17 lanes of a, each
// lane read little-endian.
func xorBlock(a *[25]uint64, b []byte) {
	_ = b[rate-1]
	for i := 0; i < rate/8; i++ {
		a[i] ^= binary.LittleEndian.Uint64(b[8*i:])
	}
}

// sum256 returns Keccak-256(msg): the Keccak sponge with rate 136 bytes and
// the original Keccak padding (pad10*1 with no domain bits: the byte 0x01
// after the message and 0x80 ORed into the block's last byte), as Ethereum's
// keccak256.
func sum256(msg []byte) [32]byte { return sponge256(msg, 0x01) }

// sponge256 absorbs msg into the rate-136 sponge with first padding byte pad
// (0x01 for Keccak-256, 0x06 for SHA3-256, which differ only there) and
// squeezes 32 bytes.
func sponge256(msg []byte, pad byte) [32]byte {
	var a [25]uint64
	for len(msg) >= rate {
		xorBlock(&a, msg[:rate])
		permute(&a)
		msg = msg[rate:]
	}
	var last [rate]byte
	copy(last[:], msg)
	last[len(msg)] = pad
	last[rate-1] |= 0x80
	xorBlock(&a, last[:])
	permute(&a)
	return squeeze(&a)
}

// squeeze returns the digest: the first 32 bytes of the state.
func squeeze(a *[25]uint64) (out [32]byte) {
	binary.LittleEndian.PutUint64(out[0:], a[0])
	binary.LittleEndian.PutUint64(out[8:], a[1])
	binary.LittleEndian.PutUint64(out[16:], a[2])
	binary.LittleEndian.PutUint64(out[24:], a[3])
	return out
}

// sumPair returns Keccak-256(l ‖ r), the parent of two Merkle nodes: a
// 64-byte message is one block, whose padding bytes 0x01 and 0x80 fall in
// lanes 8 and 16.
func sumPair(l, r *[32]byte) [32]byte {
	var a [25]uint64
	a[0] = binary.LittleEndian.Uint64(l[0:])
	a[1] = binary.LittleEndian.Uint64(l[8:])
	a[2] = binary.LittleEndian.Uint64(l[16:])
	a[3] = binary.LittleEndian.Uint64(l[24:])
	a[4] = binary.LittleEndian.Uint64(r[0:])
	a[5] = binary.LittleEndian.Uint64(r[8:])
	a[6] = binary.LittleEndian.Uint64(r[16:])
	a[7] = binary.LittleEndian.Uint64(r[24:])
	a[8] = 0x01
	a[rate/8-1] = 0x80 << 56
	permute(&a)
	return squeeze(&a)
}
