package devtest

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	mathrand "math/rand/v2"
	"sync"
	"testing"
)

// SeedCryptoRand makes crypto/rand.Reader, until test t ends, a ChaCha8
// stream seeded with seed, so that two provers drawing their random values
// in the same order draw the same values: a proof made from it can then be
// compared byte for byte with gnark's made from the same seed. gnark-crypto's
// SetRandom reads crypto/rand.Reader. Not for parallel tests: the reader is
// the process's. (Go 1.26's testing/cryptotest.SetGlobalRandom does the
// same; zkaccel still builds with Go 1.25.7, which lacks it.)
func SeedCryptoRand(t testing.TB, seed int64) {
	t.Helper()
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], uint64(seed))
	setCryptoRand(t, &lockedReader{r: mathrand.NewChaCha8(key)})
}

// ConstantCryptoRand makes every byte read from crypto/rand.Reader, until
// test t ends, 0x11: every random field element a prover draws is then the
// same, whatever order it draws them in. It serves where gnark's own order
// is not fixed (PLONK with BSB22 commitments draws their blinding in the
// solver while another goroutine draws L, R, O and Z's). 0x11 in every
// byte is below the scalar field's modulus of BN254, BLS12-381 and
// BLS12-377 once SetRandom masks the top byte (BLS12-377's top byte is
// 0x12), so SetRandom returns it at once. Not for parallel tests.
func ConstantCryptoRand(t testing.TB) {
	t.Helper()
	setCryptoRand(t, constantReader(0x11))
}

func setCryptoRand(t testing.TB, r io.Reader) {
	old := rand.Reader
	rand.Reader = r
	t.Cleanup(func() { rand.Reader = old })
}

type lockedReader struct {
	mu sync.Mutex
	r  *mathrand.ChaCha8
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

type constantReader byte

func (c constantReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}
