package gpu_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"golang.org/x/crypto/sha3"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/keccak"
)

// keccakLengths are message lengths around Keccak-256's rate (136 bytes)
// and its multiples, and the empty message.
var keccakLengths = []int{0, 1, 7, 8, 31, 32, 55, 64, 135, 136, 137, 271, 272, 273, 500}

// keccakBatch builds a Keccak-256 request over msgs with a poisoned output.
func keccakBatch(msgs [][]byte) *zkaccel.KeccakRequest {
	req := &zkaccel.KeccakRequest{N: len(msgs), Offsets: []int{0}, Out: make([]byte, 32*len(msgs))}
	for _, m := range msgs {
		req.Data = append(req.Data, m...)
		req.Offsets = append(req.Offsets, len(req.Data))
	}
	rawbytes.Poison(req.Out)
	return req
}

// checkKeccak256 runs msgs on d and compares every digest with x/crypto's
// legacy Keccak-256.
func checkKeccak256(t *testing.T, d *gpu.Device, msgs [][]byte) {
	t.Helper()
	req := keccakBatch(msgs)
	if err := d.Keccak256(req); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		h := sha3.NewLegacyKeccak256()
		h.Write(m)
		if want := h.Sum(nil); !bytes.Equal(req.Out[32*i:32*i+32], want) {
			t.Fatalf("message %d (%d bytes): digest %x, want %x", i, len(m), req.Out[32*i:32*i+32], want)
		}
	}
}

// TestKeccak256 compares the device's Keccak-256 with x/crypto's on the
// empty message, lengths around the rate, one message alone, and a seeded
// random batch of random lengths.
func TestKeccak256(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		var msgs [][]byte
		for _, n := range keccakLengths {
			msgs = append(msgs, randBytes(rng, n))
		}
		checkKeccak256(t, d, msgs)
		checkKeccak256(t, d, [][]byte{{}})
		checkKeccak256(t, d, [][]byte{randBytes(rng, 136)})
		n := 300
		if testing.Short() {
			n = 100
		}
		msgs = msgs[:0]
		for range n {
			msgs = append(msgs, randBytes(rng, rng.Intn(700)))
		}
		checkKeccak256(t, d, msgs)
	})
}

// TestKeccakF1600 compares the device's permutation with the keccak
// package's CPU permutation on seeded random states, the zero state and
// the all-ones state, and with the known answer of the zero state.
func TestKeccakF1600(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		n := 257
		states := make([][25]uint64, n)
		for i := 2; i < n; i++ {
			for j := range states[i] {
				states[i][j] = rng.Uint64()
			}
		}
		for j := range states[1] {
			states[1][j] = ^uint64(0)
		}
		req := &zkaccel.KeccakPermuteRequest{N: n, States: make([]byte, 200*n)}
		for i := range states {
			for j, l := range states[i] {
				binary.LittleEndian.PutUint64(req.States[200*i+8*j:], l)
			}
		}
		if err := d.KeccakF1600(req); err != nil {
			t.Fatal(err)
		}
		if err := keccak.PermuteBatch(states, keccak.WithDevice(zkaccel.HostCPU())); err != nil {
			t.Fatal(err)
		}
		for i := range states {
			for j, want := range states[i] {
				if got := binary.LittleEndian.Uint64(req.States[200*i+8*j:]); got != want {
					t.Fatalf("state %d, lane %d: %#x, want %#x", i, j, got, want)
				}
			}
		}
		// Keccak-f[1600] of the zero state, lane 0 (XKCP's
		// KeccakF-1600-IntermediateValues.txt).
		if got := binary.LittleEndian.Uint64(req.States[:8]); got != 0xF1258F7940E1DDE7 {
			t.Errorf("zero state: lane 0 %#x, want 0xF1258F7940E1DDE7", got)
		}
	})
}

// TestKeccakBadRequests checks that malformed requests are errors (not
// ErrUnsupported) that leave the output untouched, and that nil requests
// do not panic.
func TestKeccakBadRequests(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		good := func() *zkaccel.KeccakRequest { return keccakBatch([][]byte{{1, 2, 3}, {4}}) }
		for name, mod := range map[string]func(r *zkaccel.KeccakRequest){
			"N=0":              func(r *zkaccel.KeccakRequest) { r.N = 0 },
			"few offsets":      func(r *zkaccel.KeccakRequest) { r.Offsets = r.Offsets[:2] },
			"offset 0 not 0":   func(r *zkaccel.KeccakRequest) { r.Offsets[0] = 1 },
			"last offset":      func(r *zkaccel.KeccakRequest) { r.Offsets[2] = 3 },
			"decreasing":       func(r *zkaccel.KeccakRequest) { r.Offsets[1] = 5 }, // 0, 5, 4
			"short out":        func(r *zkaccel.KeccakRequest) { r.Out = r.Out[:63] },
			"NbTasks negative": func(r *zkaccel.KeccakRequest) { r.NbTasks = -1 },
		} {
			r := good()
			mod(r)
			before := bytes.Clone(r.Out)
			err := d.Keccak256(r)
			if err == nil || errors.Is(err, zkaccel.ErrUnsupported) {
				t.Errorf("%s: err = %v, want an error other than ErrUnsupported", name, err)
			}
			if !bytes.Equal(r.Out, before) {
				t.Errorf("%s: the output was written", name)
			}
		}
		for name, r := range map[string]*zkaccel.KeccakPermuteRequest{
			"N=0":          {N: 0},
			"short states": {N: 2, States: make([]byte, 399)},
			"NbTasks":      {N: 1, States: make([]byte, 200), NbTasks: 2000},
		} {
			if err := d.KeccakF1600(r); err == nil || errors.Is(err, zkaccel.ErrUnsupported) {
				t.Errorf("keccak-f %s: err = %v, want an error other than ErrUnsupported", name, err)
			}
		}
		if err := d.Keccak256(nil); err == nil {
			t.Error("nil request: no error")
		}
		if err := d.KeccakF1600(nil); err == nil {
			t.Error("nil permute request: no error")
		}
	})
}

// FuzzKeccak256 compares the device with x/crypto on fuzzed messages, the
// fuzz input split into up to four messages.
func FuzzKeccak256(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add(bytes.Repeat([]byte{0xa5}, 136), uint8(1))
	f.Add(bytes.Repeat([]byte{0x01}, 300), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, parts uint8) {
		msgs := [][]byte{}
		k := int(parts%4) + 1
		for i := range k {
			msgs = append(msgs, data[i*len(data)/k:(i+1)*len(data)/k])
		}
		forEachGPU(t, func(t *testing.T, d *gpu.Device) { checkKeccak256(t, d, msgs) })
	})
}

// BenchmarkKeccak256 hashes 2^k messages of 64 bytes.
func BenchmarkKeccak256(b *testing.B) {
	hashBench(b, func(b *testing.B, d *gpu.Device) {
		for _, logN := range []int{10, 14, 18} {
			n := 1 << logN
			msgs := make([][]byte, n)
			for i := range msgs {
				msgs[i] = bytes.Repeat([]byte{byte(i)}, 64)
			}
			req := keccakBatch(msgs)
			b.Run(fmt.Sprintf("2^%d", logN), func(b *testing.B) {
				b.SetBytes(int64(len(req.Data)))
				for b.Loop() {
					if err := d.Keccak256(req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// randBytes returns n seeded random bytes.
func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	rng.Read(b)
	return b
}
