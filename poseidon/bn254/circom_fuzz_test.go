package bn254_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// FuzzPoseidonCircom draws a width and up to 8 inputs from the fuzzer's
// bytes (32 bytes each, reduced mod r) and compares PoseidonBatch on the
// loopback device with Poseidon on the CPU and with go-iden3-crypto, and
// the Merkle root of all the elements on the loopback with the CPU's.
func FuzzPoseidonCircom(f *testing.F) {
	f.Add([]byte{1, 1, 2})
	f.Add(append([]byte{15}, make([]byte, 32*16)...))
	ff := make([]byte, 1+64)
	for i := range ff {
		ff[i] = 0xFF
	}
	f.Add(ff)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		k := 1 + int(data[0]%16)
		data = data[1:]
		var els []fr.Element
		for len(data) > 0 && len(els) < 8*k {
			m := min(len(data), fr.Bytes)
			var e fr.Element
			e.SetBytes(data[:m])
			els = append(els, e)
			data = data[m:]
		}
		n := len(els) / k
		if n == 0 {
			return
		}
		batch := make([][]fr.Element, n)
		for i := range batch {
			batch[i] = els[i*k : (i+1)*k]
		}
		got, err := bn254.PoseidonBatch(batch, poseidon.WithDevice(fakedev.Loopback))
		if err != nil {
			t.Fatal(err)
		}
		for i := range batch {
			want, err := bn254.Poseidon(batch[i]...)
			if err != nil {
				t.Fatal(err)
			}
			if !got[i].Equal(&want) {
				t.Fatalf("k=%d hash %d: loopback %s, cpu %s", k, i, got[i].String(), want.String())
			}
			if ref := circomIden3(t, batch[i]); !want.Equal(&ref) {
				t.Fatalf("k=%d hash %d: %s, go-iden3-crypto %s", k, i, want.String(), ref.String())
			}
		}
		dev, err := bn254.MerkleRootCircom(els, poseidon.WithDevice(fakedev.Loopback))
		if err != nil {
			t.Fatal(err)
		}
		cpu, err := bn254.MerkleRootCircom(els, poseidon.WithDevice(zkaccel.HostCPU()))
		if err != nil || !dev.Equal(&cpu) {
			t.Fatalf("Merkle root of %d leaves: loopback %s, cpu %s (%v)", len(els), dev.String(), cpu.String(), err)
		}
	})
}
