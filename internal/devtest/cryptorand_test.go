package devtest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	bls12377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	bn254 "github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// TestSeedCryptoRand: one seed gives one stream, another seed another, and
// the system's reader is back once the test ends.
func TestSeedCryptoRand(t *testing.T) {
	sys := rand.Reader
	read := func(seed int64) []byte {
		var b []byte
		t.Run("", func(t *testing.T) {
			SeedCryptoRand(t, seed)
			if rand.Reader == sys {
				t.Fatal("crypto/rand.Reader not replaced")
			}
			b = make([]byte, 64)
			if _, err := io.ReadFull(rand.Reader, b); err != nil {
				t.Fatal(err)
			}
		})
		if rand.Reader != sys {
			t.Fatal("crypto/rand.Reader not restored")
		}
		return b
	}
	a, b, c := read(7), read(7), read(8)
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Fatalf("seed 7 gave %x then %x; seed 8 %x", a, b, c)
	}
}

// TestConstantCryptoRand: every random element is the same, below each
// curve's scalar modulus (SetRandom returns at once).
func TestConstantCryptoRand(t *testing.T) {
	ConstantCryptoRand(t)
	done := make(chan error, 1)
	go func() {
		var x, y bls12381.Element
		var u, v bls12377.Element
		var p, q bn254.Element
		_, e1 := x.SetRandom()
		_, e2 := y.SetRandom()
		_, e3 := u.SetRandom()
		_, e4 := v.SetRandom()
		_, e5 := p.SetRandom()
		_, e6 := q.SetRandom()
		if err := errors.Join(e1, e2, e3, e4, e5, e6); err != nil {
			done <- err
			return
		}
		if !x.Equal(&y) || !u.Equal(&v) || !p.Equal(&q) || x.IsZero() || u.IsZero() || p.IsZero() {
			done <- fmt.Errorf("draws %v %v, %v %v, %v %v", x.String(), y.String(), u.String(), v.String(), p.String(), q.String())
			return
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("SetRandom did not return: the constant is not below a modulus")
	}
}
