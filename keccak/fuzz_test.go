package keccak_test

import (
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/keccak"
)

// FuzzSum256 compares Sum256Batch on the CPU and on the loopback (the
// device path) with x/crypto's Keccak-256: the input is cut into up to four
// messages at the positions its first two bytes name (so the fuzzer
// controls lengths around the 136-byte rate), the whole input being the
// first message too. Its seeds run as a unit test.
func FuzzSum256(f *testing.F) {
	for _, s := range [][]byte{
		{},
		{0},
		[]byte("abc"),
		make([]byte, 135),
		make([]byte, 136),
		make([]byte, 137),
		append([]byte{136, 1}, make([]byte, 300)...),
		append([]byte{3, 200}, make([]byte, 700)...),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs := [][]byte{data}
		if len(data) >= 2 {
			a, b := 2+int(data[0]), 2+int(data[0])+int(data[1])
			a, b = min(a, len(data)), min(b, len(data))
			msgs = append(msgs, data[2:a], data[a:b], data[b:])
		}
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} {
			got, err := keccak.Sum256Batch(msgs, keccak.WithDevice(dev))
			if err != nil {
				t.Fatalf("%v: %v", dev, err)
			}
			for i, m := range msgs {
				if want := ref(m); got[i] != want {
					t.Fatalf("%v: message %d (%d bytes): got %x, want %x", dev, i, len(m), got[i], want)
				}
			}
		}
	})
}
