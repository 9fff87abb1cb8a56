package keccak_test

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"golang.org/x/crypto/sha3"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/keccak"
)

// The benchmarks run on 2^16 inputs, with arms:
//
//   - zkaccel: the front end with its defaults (zkaccel.Default(), which is
//     the CPU unless ZKACCEL_DEVICE names another device; one goroutine per
//     CPU);
//   - zkaccel-1task: the same with WithNbTasks(1), one goroutine;
//   - <kind>: the front end on each non-CPU device present (skipped where
//     the device falls back to the CPU);
//   - xcrypto (Sum256Batch, MerkleRoot): golang.org/x/crypto/sha3's
//     NewLegacyKeccak256 in a loop on one goroutine, one hasher reused with
//     Reset, writing into a preallocated output: the cheapest way to call
//     x/crypto, on the same inputs; loop (PermuteBatch): the package's own
//     permutation in a plain loop, one goroutine.
//
// Each reports hashes/s (permutations/s for PermuteBatch, compressions/s for
// MerkleRoot) besides ns/op.

const benchLog = 16

// benchArms runs the arms of the front end: run(opts) makes one call.
func benchArms(b *testing.B, prefix string, n int, run func(opts ...keccak.Option) error, unit string) {
	arm := func(name string, opts ...keccak.Option) {
		b.Run(fmt.Sprintf("%s/%s/2^%d", prefix, name, benchLog), func(b *testing.B) {
			var rep zkaccel.Report
			if err := run(append(opts, keccak.WithReport(&rep))...); err != nil {
				b.Fatal(err)
			}
			if rep.Fallback {
				b.Skipf("%v falls back to the CPU: %v", rep.Requested, rep.Reason)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := run(opts...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), unit)
		})
	}
	arm("zkaccel")
	arm("zkaccel-1task", keccak.WithNbTasks(1))
	for _, d := range zkaccel.Devices() {
		if d.Kind() == zkaccel.CPU {
			continue
		}
		name := string(d.Kind())
		if d.Ordinal() > 0 {
			name = d.String()
		}
		arm(name, keccak.WithDevice(d))
	}
}

// benchMessages returns n seeded random messages of size bytes.
func benchMessages(n, size int) [][]byte {
	rng := rand.New(rand.NewSource(int64(size)))
	buf := make([]byte, n*size)
	rng.Read(buf)
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = buf[i*size : (i+1)*size : (i+1)*size]
	}
	return msgs
}

// xcryptoLoop hashes msgs into out with x/crypto, one hasher reused.
func xcryptoLoop(h interface {
	Reset()
	Write([]byte) (int, error)
	Sum([]byte) []byte
}, msgs [][]byte, out [][32]byte) {
	for i, m := range msgs {
		h.Reset()
		h.Write(m)
		h.Sum(out[i][:0])
	}
}

// BenchmarkSum256Batch hashes 2^16 messages of 32, 64 and 136 bytes:
// Sum256Batch/<bytes>/<arm>/2^16.
func BenchmarkSum256Batch(b *testing.B) {
	const n = 1 << benchLog
	for _, size := range []int{32, 64, 136} {
		msgs := benchMessages(n, size)
		prefix := fmt.Sprint(size)
		benchArms(b, prefix, n, func(opts ...keccak.Option) error {
			_, err := keccak.Sum256Batch(msgs, opts...)
			return err
		}, "hashes/s")
		b.Run(fmt.Sprintf("%s/xcrypto/2^%d", prefix, benchLog), func(b *testing.B) {
			out := make([][32]byte, n)
			h := sha3.NewLegacyKeccak256()
			b.ReportAllocs()
			for b.Loop() {
				xcryptoLoop(h, msgs, out)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
		})
	}
}

// BenchmarkSum256BatchPaired times, in each iteration and in rotating
// order, the three CPU arms of BenchmarkSum256Batch on the same 2^16
// messages of 64 bytes: Sum256Batch on the CPU with its default goroutines
// (default), with WithNbTasks(1) (1task), and x/crypto's loop (xcrypto).
// Calls of one iteration meet the same machine load, which separately run
// benchmarks on a shared machine do not, so the ratios it reports (medians
// over iterations) are far less noisy: 1task/default is the speed-up of
// the default over one goroutine (about GOMAXPROCS on an idle machine),
// 1task/xcrypto the cost of the batch API and of this package's
// permutation relative to x/crypto on one core, and into-1task/default the
// same speed-up as 1task/default with Sum256BatchInto, which allocates no
// output (so no garbage collection competes for the cores).
func BenchmarkSum256BatchPaired(b *testing.B) {
	const n, size = 1 << benchLog, 64
	b.Run(fmt.Sprintf("%d/2^%d", size, benchLog), func(b *testing.B) {
		msgs := benchMessages(n, size)
		out := make([][32]byte, n)
		h := sha3.NewLegacyKeccak256()
		cpu := keccak.WithDevice(zkaccel.HostCPU())
		into0, into1 := make([][32]byte, n), make([][32]byte, n)
		arms := []func() error{
			func() error { _, err := keccak.Sum256Batch(msgs, cpu); return err },
			func() error { _, err := keccak.Sum256Batch(msgs, cpu, keccak.WithNbTasks(1)); return err },
			func() error { xcryptoLoop(h, msgs, out); return nil },
			func() error { return keccak.Sum256BatchInto(into0, msgs, cpu) },
			func() error { return keccak.Sum256BatchInto(into1, msgs, cpu, keccak.WithNbTasks(1)) },
		}
		var times [5][]float64
		var r1, r2, r3 []float64
		for i := 0; b.Loop(); i++ {
			var t [5]float64
			for k := range arms {
				a := (i + k) % len(arms)
				t0 := time.Now()
				if err := arms[a](); err != nil {
					b.Fatal(err)
				}
				t[a] = float64(time.Since(t0).Nanoseconds())
				times[a] = append(times[a], t[a])
			}
			r1, r2, r3 = append(r1, t[1]/t[0]), append(r2, t[1]/t[2]), append(r3, t[4]/t[3])
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(optest.Median(times[0]), "default-ns/op")
		b.ReportMetric(optest.Median(times[1]), "1task-ns/op")
		b.ReportMetric(optest.Median(times[2]), "xcrypto-ns/op")
		b.ReportMetric(optest.Median(r1), "1task/default")
		b.ReportMetric(optest.Median(r2), "1task/xcrypto")
		b.ReportMetric(optest.Median(r3), "into-1task/default")
	})
}

// BenchmarkPermuteBatch permutes 2^16 states: PermuteBatch/f1600/<arm>/2^16.
func BenchmarkPermuteBatch(b *testing.B) {
	const n = 1 << benchLog
	rng := rand.New(rand.NewSource(1))
	states := make([][25]uint64, n)
	for i := range states {
		for j := range states[i] {
			states[i][j] = rng.Uint64()
		}
	}
	benchArms(b, "f1600", n, func(opts ...keccak.Option) error {
		return keccak.PermuteBatch(states, opts...)
	}, "permutations/s")
	b.Run(fmt.Sprintf("f1600/loop/2^%d", benchLog), func(b *testing.B) {
		for b.Loop() {
			for i := range states {
				keccak.Permute(&states[i])
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "permutations/s")
	})
}

// BenchmarkMerkleRoot builds the root over 2^16 leaves (2^16 − 1
// compressions): MerkleRoot/keccak256/<arm>/2^16.
func BenchmarkMerkleRoot(b *testing.B) {
	const n = 1 << benchLog
	leaves := randomLeaves(rand.New(rand.NewSource(2)), n)
	benchArms(b, "keccak256", n-1, func(opts ...keccak.Option) error {
		_, err := keccak.MerkleRoot(leaves, opts...)
		return err
	}, "hashes/s")
	b.Run(fmt.Sprintf("keccak256/xcrypto/2^%d", benchLog), func(b *testing.B) {
		h := sha3.NewLegacyKeccak256()
		level := make([][32]byte, n)
		b.ReportAllocs()
		for b.Loop() {
			copy(level, leaves)
			for w := n / 2; w >= 1; w /= 2 {
				for i := 0; i < w; i++ {
					h.Reset()
					h.Write(level[2*i][:])
					h.Write(level[2*i+1][:])
					h.Sum(level[i][:0])
				}
			}
		}
		b.ReportMetric(float64(n-1)*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
	})
}
