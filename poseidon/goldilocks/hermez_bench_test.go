package goldilocks_test

import (
	"fmt"
	"testing"

	goldenposeidon "github.com/iden3/go-iden3-crypto/goldenposeidon"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// BenchmarkPoseidonHermez measures Hermez Poseidon hashes, named
// PoseidonHermez/goldilocks/<arm>/<size>, on the same seeded inputs in one
// run:
//
//   - zkaccel: HashHermez (size 1) and HashHermezBatch on the default device
//     (the CPU, every core, unless ZKACCEL_DEVICE says otherwise);
//   - zkaccel-1task: HashHermezBatch with WithNbTasks(1), one core;
//   - iden3: go-iden3-crypto's goldenposeidon.Hash, one hash after another
//     (it has no batch API), the reference;
//   - <kind> for every accelerator present (cuda, opencl, …), skipped where it
//     falls back to the CPU.
//
// Each reports hashes/s.
func BenchmarkPoseidonHermez(b *testing.B) {
	for _, lg := range []int{0, 10, 16} {
		n := 1 << lg
		size := fmt.Sprintf("2^%d", lg)
		if n == 1 {
			size = "1"
		}
		in := hermezRandom(inputs.NewRand(int64(n)), n)
		ins, caps := make([][8]uint64, n), make([][4]uint64, n)
		for i := range in {
			for j := range 8 {
				ins[i][j] = in[i][j].Uint64()
			}
			for j := range 4 {
				caps[i][j] = in[i][8+j].Uint64()
			}
		}
		run := func(arm string, call func() error) {
			b.Run("goldilocks/"+arm+"/"+size, func(b *testing.B) {
				if err := call(); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := call(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
			})
		}
		if n == 1 {
			a, c := hermezSplit(in[0])
			run("zkaccel", func() error { _, err := goldilocks.HashHermez(a, c); return err })
		} else {
			run("zkaccel", func() error { _, err := goldilocks.HashHermezBatch(in); return err })
			run("zkaccel-1task", func() error { _, err := goldilocks.HashHermezBatch(in, poseidon.WithNbTasks(1)); return err })
		}
		run("iden3", func() error {
			for i := range ins {
				if _, err := goldenposeidon.Hash(ins[i], caps[i]); err != nil {
					return err
				}
			}
			return nil
		})
		for _, d := range zkaccel.Devices() {
			if d.Kind() == zkaccel.CPU || n == 1 {
				continue
			}
			arm := string(d.Kind())
			if d.Ordinal() != 0 {
				arm = d.String()
			}
			var rep zkaccel.Report
			run(arm, func() error {
				_, err := goldilocks.HashHermezBatch(in, poseidon.WithDevice(d), poseidon.WithReport(&rep))
				if err == nil && rep.Fallback {
					b.Skipf("%v falls back to the CPU: %v", d, rep.Reason)
				}
				return err
			})
		}
	}
}

// BenchmarkPermuteHermez measures the bare permutation on one core.
func BenchmarkPermuteHermez(b *testing.B) {
	s := hermezRandom(inputs.NewRand(1), 1)[0]
	for b.Loop() {
		goldilocks.PermuteHermez(&s)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}
