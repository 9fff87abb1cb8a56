package bn254_test

import (
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	iden3 "github.com/iden3/go-iden3-crypto/poseidon"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// The circom Poseidon benchmarks. Names follow DESIGN.md §4:
// <Op>/bn254/<size>/<arm> for the single hash (the arms "zkaccel" and
// "iden3", go-iden3-crypto's poseidon.Hash, on the same inputs, and
// "paired", which alternates them call by call and reports both medians
// and their ratio — the better measure on a busy machine), and
// <Op>/bn254/<device>/2^k for batches and trees, one line per device
// present, plus "cpu-1task" (WithNbTasks(1)) and, for batches, "iden3"
// (go-iden3-crypto one hash at a time) and "cpu-paired" (the CPU with one
// task and with the default alternately, as "paired" above). Inputs are
// drawn outside the timer.

var circomSink fr.Element

// BenchmarkPoseidonCircom times one hash of k inputs.
func BenchmarkPoseidonCircom(b *testing.B) {
	for _, k := range []int{1, 2, 4, 16} {
		in := inputs.Elements[fr.Element](inputs.NewRand(int64(k)), k)
		bigs := circomBig(in)
		if _, err := bn254.Poseidon(in...); err != nil { // constants outside the timer
			b.Fatal(err)
		}
		zk := func() error {
			h, err := bn254.Poseidon(in...)
			circomSink = h
			return err
		}
		ref := func() error {
			_, err := iden3.Hash(bigs)
			return err
		}
		for _, arm := range []struct {
			name string
			call func() error
		}{{"zkaccel", zk}, {"iden3", ref}} {
			b.Run(fmt.Sprintf("bn254/%d/%s", k, arm.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := arm.call(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
			})
		}
		b.Run(fmt.Sprintf("bn254/%d/paired", k), func(b *testing.B) { optest.BenchPairedNamed(b, "iden3", ref, "zkaccel", zk) })
	}
}

// circomBenchName names a device in a benchmark: its kind for the first device
// of a kind ("cuda"), its spec for the others ("cuda:1").
func circomBenchName(d zkaccel.Device) string {
	if d.Ordinal() == 0 {
		return string(d.Kind())
	}
	return d.String()
}

// circomArm is one line of a batch or tree benchmark.
type circomArm struct {
	name string
	dev  zkaccel.Device
	opts []poseidon.Option
}

// circomArms are a line per device present, then the CPU with one task.
func circomArms() []circomArm {
	var arms []circomArm
	for _, d := range zkaccel.Devices() {
		arms = append(arms, circomArm{circomBenchName(d), d, []poseidon.Option{poseidon.WithDevice(d)}})
	}
	cpu := zkaccel.HostCPU()
	return append(arms, circomArm{"cpu-1task", cpu, []poseidon.Option{poseidon.WithDevice(cpu), poseidon.WithNbTasks(1)}})
}

// circomRunArm times call after a first, untimed call whose report must not show
// a fallback (a device's line never shows the CPU's time), reporting n
// hashes per call.
func circomRunArm(b *testing.B, n int, call func(opts ...poseidon.Option) error, arm circomArm) {
	var rep zkaccel.Report
	if err := call(append(slices.Clone(arm.opts), poseidon.WithReport(&rep))...); err != nil {
		b.Fatal(err)
	}
	if rep.Fallback {
		b.Skipf("%v falls back to the CPU: %v", arm.dev, rep.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := call(arm.opts...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}

// BenchmarkPoseidonBatch times PoseidonBatch of 2^k hashes of 2 inputs
// (the Merkle compression's width).
func BenchmarkPoseidonBatch(b *testing.B) {
	for _, lg := range []int{10, 16} {
		n := 1 << lg
		els := inputs.Elements[fr.Element](inputs.NewRand(int64(lg)), 2*n)
		batch := make([][]fr.Element, n)
		for i := range batch {
			batch[i] = els[2*i : 2*i+2]
		}
		call := func(opts ...poseidon.Option) error {
			_, err := bn254.PoseidonBatch(batch, opts...)
			return err
		}
		for _, arm := range circomArms() {
			b.Run(fmt.Sprintf("bn254/%s/2^%d", arm.name, lg), func(b *testing.B) { circomRunArm(b, n, call, arm) })
		}
		// The CPU's speed-up over one task, call by call.
		cpu := zkaccel.HostCPU()
		b.Run(fmt.Sprintf("bn254/cpu-paired/2^%d", lg), func(b *testing.B) {
			optest.BenchPairedNamed(b, "1task", func() error { return call(poseidon.WithDevice(cpu), poseidon.WithNbTasks(1)) },
				"default", func() error { return call(poseidon.WithDevice(cpu)) })
		})
		if lg <= 10 {
			bigs := make([][]*big.Int, n)
			for i := range batch {
				bigs[i] = circomBig(batch[i])
			}
			b.Run(fmt.Sprintf("bn254/iden3/2^%d", lg), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for i := range bigs {
						if _, err := iden3.Hash(bigs[i]); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
			})
		}
	}
}

// BenchmarkMerkleCircom times MerkleRootCircom over 2^k leaves (2^k − 1
// compressions).
func BenchmarkMerkleCircom(b *testing.B) {
	for _, lg := range []int{10, 16} {
		n := 1 << lg
		leaves := inputs.Elements[fr.Element](inputs.NewRand(int64(lg)), n)
		call := func(opts ...poseidon.Option) error {
			_, err := bn254.MerkleRootCircom(leaves, opts...)
			return err
		}
		for _, arm := range circomArms() {
			b.Run(fmt.Sprintf("bn254/%s/2^%d", arm.name, lg), func(b *testing.B) { circomRunArm(b, n-1, call, arm) })
		}
	}
}
