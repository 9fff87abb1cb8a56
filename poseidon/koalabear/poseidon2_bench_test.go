package koalabear_test

import (
	"fmt"
	"slices"
	"testing"

	field "github.com/consensys/gnark-crypto/field/koalabear"
	"github.com/consensys/gnark-crypto/field/koalabear/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/koalabear"
)

// p2BenchLog is log2 of the number of states a benchmark permutes.
const p2BenchLog = 16

// BenchmarkPermute2 times Permute2 on 2^16 states of each default instance
// (BenchmarkPermute2/koalabear/t=<t>/<arm>/2^16), with hashes/s: the arms
// are zkaccel (the default device and parallelism), zkaccel-nbtasks=1 and
// =2 (the CPU with WithNbTasks), one per other device present (its kind),
// gnark (gnark-crypto's Permutation state after state, on one core), where
// gnark-crypto has one its batch routine (gnark-16x24: Permutation16x24 on
// 16 states at a time, transposition included), and paired-nbtasks=1 and
// =2, which alternate gnark and zkaccel call by call and report both
// medians and their ratio (see optest.BenchPaired), the measure to use on
// a busy machine.
func BenchmarkPermute2(b *testing.B) {
	for _, w := range p2Widths {
		d := p2Defaults[w][0]
		params, perm := d.params(), d.perm()
		n := 1 << p2BenchLog
		var states []field.Element // drawn on first use
		input := func() []field.Element {
			if states == nil {
				states = inputs.Elements[field.Element](inputs.NewRand(int64(w)), n*w)
			}
			return slices.Clone(states)
		}
		gnark := func(s []field.Element) func() error {
			return func() error {
				for i := 0; i < len(s); i += w {
					if err := perm.Permutation(s[i : i+w]); err != nil {
						return err
					}
				}
				return nil
			}
		}
		front := func(s []field.Element, opts ...poseidon.Option) func() error {
			return func() error { return koalabear.Permute2(params, s, opts...) }
		}
		cpu := poseidon.WithDevice(zkaccel.HostCPU())
		arms := []struct {
			name string
			call func() func() error
		}{
			{"zkaccel", func() func() error { return front(input()) }},
			{"zkaccel-nbtasks=1", func() func() error { return front(input(), cpu, poseidon.WithNbTasks(1)) }},
			{"zkaccel-nbtasks=2", func() func() error { return front(input(), cpu, poseidon.WithNbTasks(2)) }},
			{"gnark", func() func() error { return gnark(input()) }},
		}
		if w == 24 {
			arms = append(arms, struct {
				name string
				call func() func() error
			}{"gnark-16x24", func() func() error { return p2Gnark16x24(perm, input()) }})
		}
		for _, dev := range zkaccel.Devices() {
			if dev.Kind() != zkaccel.CPU {
				arms = append(arms, struct {
					name string
					call func() func() error
				}{dev.String(), func() func() error { return front(input(), poseidon.WithDevice(dev)) }})
			}
		}
		prefix := fmt.Sprintf("koalabear/t=%d/", w)
		size := fmt.Sprintf("/2^%d", p2BenchLog)
		for _, arm := range arms {
			b.Run(prefix+arm.name+size, func(b *testing.B) {
				call := arm.call()
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

// p2Gnark16x24 permutes the states of width 24 with gnark-crypto's batch
// routine, Permutation16x24, 16 states at a time: transposed in, permuted,
// transposed back (n must be a multiple of 16).
func p2Gnark16x24(perm *poseidon2.Permutation, s []field.Element) func() error {
	return func() error {
		var m [24][16]field.Element
		for base := 0; base < len(s); base += 16 * 24 {
			for l := range 16 {
				for j := range 24 {
					m[j][l] = s[base+l*24+j]
				}
			}
			perm.Permutation16x24(&m)
			for l := range 16 {
				for j := range 24 {
					s[base+l*24+j] = m[j][l]
				}
			}
		}
		return nil
	}
}
