package p2test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/internal/poseidon2x"
	"github.com/zkaccel/zkaccel/poseidon"
)

// BenchLog is log2 of the number of states a benchmark permutes.
const BenchLog = 16

// Bench times permute2 on 2^16 states of each default instance of f
// (sub-benchmarks <f.Name>/t=<t>/<arm>/2^16), with hashes/s: the arms are
// zkaccel (the default device and parallelism), zkaccel-nbtasks=1 and =2
// (the CPU with WithNbTasks), one per other device present (its kind),
// gnark (gnark-crypto's Permutation state after state, on one core), where
// gnark-crypto has one its batch routine (gnark-16x24: Permutation16x24 on
// 16 states at a time, transposition included), and paired-nbtasks=1 and
// =2, which alternate gnark and zkaccel call by call and report both
// medians and their ratio (see optest.BenchPaired), the measure to use on a
// busy machine.
func Bench[P, Perm, E any, PE element[E]](b *testing.B, f *Field[P, Perm, E], permute2 Front[P, E]) {
	type arm struct {
		name string
		call func() func() error
	}
	for _, d := range f.Defaults {
		w := d.T
		params, perm := f.Params(d), f.Perm(d)
		n := 1 << BenchLog
		var states []E // drawn on first use
		input := func() []E {
			if states == nil {
				states = inputs.Elements[E, PE](inputs.NewRand(int64(w)), n*w)
			}
			return slices.Clone(states)
		}
		gnark := func(s []E) func() error {
			return func() error {
				for i := 0; i < len(s); i += w {
					if err := f.Permutation(perm, s[i:i+w]); err != nil {
						return err
					}
				}
				return nil
			}
		}
		front := func(s []E, opts ...poseidon.Option) func() error {
			return func() error { return permute2(params, s, opts...) }
		}
		cpu := poseidon.WithDevice(zkaccel.HostCPU())
		arms := []arm{
			{"zkaccel", func() func() error { return front(input()) }},
			{"zkaccel-nbtasks=1", func() func() error { return front(input(), cpu, poseidon.WithNbTasks(1)) }},
			{"zkaccel-nbtasks=2", func() func() error { return front(input(), cpu, poseidon.WithNbTasks(2)) }},
			{"gnark", func() func() error { return gnark(input()) }},
		}
		if w == 24 && f.Permutation16x24 != nil {
			arms = append(arms, arm{"gnark-16x24", func() func() error { return gnark16x24(f, perm, input()) }})
		}
		for _, dev := range zkaccel.Devices() {
			if dev.Kind() != zkaccel.CPU {
				arms = append(arms, arm{dev.String(), func() func() error { return front(input(), poseidon.WithDevice(dev)) }})
			}
		}
		prefix := fmt.Sprintf("%s/t=%d/", f.Name, w)
		size := fmt.Sprintf("/2^%d", BenchLog)
		for _, a := range arms {
			b.Run(prefix+a.name+size, func(b *testing.B) {
				call := a.call()
				for b.Loop() {
					if err := call(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
			})
		}
		for _, k := range []int{1, 2} {
			b.Run(fmt.Sprintf("%spaired-nbtasks=%d%s", prefix, k, size), func(b *testing.B) {
				optest.BenchPaired(b, gnark(input()), front(input(), cpu, poseidon.WithNbTasks(k)))
			})
		}
	}
}

// gnark16x24 permutes the states of width 24 with gnark-crypto's batch
// routine, Permutation16x24, 16 states at a time: transposed in, permuted,
// transposed back (n must be a multiple of 16).
func gnark16x24[P, Perm, E any](f *Field[P, Perm, E], perm *Perm, s []E) func() error {
	return func() error {
		var m [24][16]E
		for base := 0; base < len(s); base += 16 * 24 {
			poseidon2x.To16x24(&m, s[base:])
			f.Permutation16x24(perm, &m)
			poseidon2x.From16x24(s[base:], &m)
		}
		return nil
	}
}
