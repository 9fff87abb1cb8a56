package poseidon2x

import (
	"slices"
	"sync"

	"github.com/zkaccel/zkaccel/internal/parallel"
)

// Kernels are a checked instance's CPU kernels, as [Batch] runs them: the
// field packages implement them with their (generated) p2Instance. They
// are interface methods, not function values, so that a batch allocates no
// more than its goroutines and their buffers.
type Kernels[E any] interface {
	// PermuteGroups permutes as many leading states of states as
	// gnark-crypto's batch routine for this instance takes (16 at a time:
	// Permutation16x24, see [Gnark16x24]) and returns how many; 0 where it
	// has none.
	PermuteGroups(states []E) int
	// PermuteEach permutes every state of states, one at a time.
	PermuteEach(states []E)
	// NewLanes returns the batched kernel with buffers of its own, or nil
	// where there is none or it is off.
	NewLanes() Lanes[E]
}

// Lanes is a batched kernel with its buffers: many states at once,
// transposed into columns of field.Vector.
type Lanes[E any] interface {
	Permute(states []E) // permutes 1 to Block() states, in place
	Block() int
}

// Batch permutes every t-element state of states in place, split over up
// to nbTasks goroutines (0: one per CPU) of at least minChunk states each:
// in each, with k's batch routine, then with its batched kernel where there
// are at least minLanes states left, else one state at a time.
func Batch[E any](k Kernels[E], states []E, t, nbTasks, minChunk, minLanes int) {
	parallel.Execute(len(states)/t, nbTasks, minChunk, func(start, end int) {
		start += k.PermuteGroups(states[start*t : end*t])
		var ln Lanes[E]
		if end-start >= minLanes {
			ln = k.NewLanes()
		}
		if ln == nil {
			k.PermuteEach(states[start*t : end*t])
			return
		}
		block := ln.Block()
		for i := start; i < end; i += block {
			m := min(block, end-i)
			ln.Permute(states[i*t : (i+m)*t])
		}
	})
}

// To16x24 transposes 16 states of width 24 (states[0:384], one after the
// other) into m, as gnark-crypto's Permutation16x24 takes them.
func To16x24[E any](m *[24][16]E, states []E) {
	for l := range 16 {
		for j := range 24 {
			m[j][l] = states[l*24+j]
		}
	}
}

// From16x24 transposes m back into 16 states of width 24 (states[0:384]).
func From16x24[E any](states []E, m *[24][16]E) {
	for l := range 16 {
		for j := range 24 {
			states[l*24+j] = m[j][l]
		}
	}
}

// Gnark16x24 is gnark-crypto's default width-24 instance and its batch
// routine, Permutation16x24, which it runs with AVX-512 16 states at a time,
// faster than zkaccel's batched kernel (BabyBear and KoalaBear): P is the
// field's poseidon2.Permutation, E its element.
type Gnark16x24[E comparable, P any] struct {
	// On lets [Gnark16x24.For] return the permutation; tests switch it off
	// to run the other kernels.
	On     bool
	rf, rp int
	get    func() *gnark16x24[E, P]
}

// gnark16x24 is the instance's flattened round keys and permutation.
type gnark16x24[E comparable, P any] struct {
	keys []E
	perm *P
}

// NewGnark16x24 returns gnark-crypto's width-24 instance of rf full and rp
// partial rounds. make, called on first use where available (the processor
// has AVX-512), returns its flattened round keys and its Permutation, or a
// nil one where it cannot.
func NewGnark16x24[E comparable, P any](available bool, rf, rp int, make func() (keys []E, perm *P)) *Gnark16x24[E, P] {
	return &Gnark16x24[E, P]{On: true, rf: rf, rp: rp, get: sync.OnceValue(func() *gnark16x24[E, P] {
		if !available {
			return nil
		}
		keys, perm := make()
		if perm == nil {
			return nil
		}
		return &gnark16x24[E, P]{keys, perm}
	})}
}

// For returns the permutation where the instance of width t, rf full and
// rp partial rounds and the flattened round keys keys is, value for value,
// gnark-crypto's default one, so that its Permutation16x24 computes that
// instance; nil otherwise, or where g is off or unavailable.
func (g *Gnark16x24[E, P]) For(t, rf, rp int, keys []E) *P {
	if !g.On || t != 24 || rf != g.rf || rp != g.rp {
		return nil
	}
	d := g.get()
	if d == nil || !slices.Equal(keys, d.keys) {
		return nil
	}
	return d.perm
}
