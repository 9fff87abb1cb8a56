package goldilocks_test

import (
	"encoding/binary"
	"testing"

	field "github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// FuzzHermez hashes 12 words taken from the fuzzer's bytes: as raw words
// (Montgomery form) through HashHermezBatch on the CPU and on the loopback
// device, which must agree, and must fail exactly when a word is ≥ p; and,
// reduced modulo p as canonical values, through HashHermez, which must
// equal go-iden3-crypto's goldenposeidon.Hash.
func FuzzHermez(f *testing.F) {
	f.Add(make([]byte, 96))
	seed := make([]byte, 96)
	for i := range seed {
		seed[i] = 0xFF
	}
	f.Add(seed)
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		var buf [96]byte
		copy(buf[:], b)
		var raw, canon [12]field.Element
		unreduced := false
		for i := range raw {
			w := binary.LittleEndian.Uint64(buf[8*i:])
			raw[i][0] = w
			unreduced = unreduced || w >= hermezP
			canon[i].SetUint64(w)
		}
		cpu, errCPU := goldilocks.HashHermezBatch([][12]field.Element{raw})
		dev, errDev := goldilocks.HashHermezBatch([][12]field.Element{raw}, poseidon.WithDevice(hermezLoopback()))
		if unreduced != (errCPU != nil) || unreduced != (errDev != nil) {
			t.Fatalf("raw words %v (unreduced: %v): errors %v (CPU), %v (device)", raw, unreduced, errCPU, errDev)
		}
		if !unreduced && cpu[0] != dev[0] {
			t.Fatalf("raw words %v: CPU %v, device %v", raw, cpu[0], dev[0])
		}
		in, capacity := hermezSplit(canon)
		got, err := goldilocks.HashHermez(in, capacity)
		if err != nil {
			t.Fatal(err)
		}
		if want := hermezIden3(t, canon); got != want {
			t.Fatalf("HashHermez(%v, %v) = %v, goldenposeidon.Hash gives %v", in, capacity, got, want)
		}
	})
}
