// Package merkle builds binary Merkle trees for every hash front end, over
// any node type, level by level so that each level is one batch of 2-to-1
// compressions (which a device, or all CPU cores, can run at once).
//
// Shape, for every zkaccel Merkle tree: N ≥ 1 leaves; a count that is not a
// power of two is padded on the right with the zero node (all-zero bytes, or
// the field element 0) up to the next power of two, so a tree of N leaves
// equals the tree of its padded leaves. Layer 0 is the padded leaves, layer
// k has len(layer 0)/2^k nodes, and the last layer is the root alone; a
// single leaf is its own root.
package merkle

import (
	"errors"
	"fmt"
)

// ErrNoLeaves is returned for an empty leaf slice.
var ErrNoLeaves = errors.New("a Merkle tree needs at least one leaf")

// Padded returns the number of leaves of the padded tree: the smallest power
// of two ≥ n.
func Padded(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// Layers builds every layer of the tree over leaves (see the package doc),
// with zero as the padding node. compress(pairs, out) must set out[i] to the
// compression of pairs[2i] and pairs[2i+1] for every i, without modifying
// pairs; it is called once per level with that whole level. The caller's
// leaves are copied, never modified.
func Layers[T any](leaves []T, zero T, compress func(pairs, out []T) error) ([][]T, error) {
	if len(leaves) == 0 {
		return nil, ErrNoLeaves
	}
	n := Padded(len(leaves))
	level := make([]T, n)
	copy(level, leaves)
	for i := len(leaves); i < n; i++ {
		level[i] = zero
	}
	layers := [][]T{level}
	for len(level) > 1 {
		next := make([]T, len(level)/2)
		if err := compress(level, next); err != nil {
			return nil, fmt.Errorf("level of %d nodes: %w", len(level), err)
		}
		layers = append(layers, next)
		level = next
	}
	return layers, nil
}

// Root builds the tree like Layers but keeps only the root, reusing one
// buffer for all levels.
func Root[T any](leaves []T, zero T, compress func(pairs, out []T) error) (T, error) {
	var none T
	if len(leaves) == 0 {
		return none, ErrNoLeaves
	}
	n := Padded(len(leaves))
	level := make([]T, n)
	copy(level, leaves)
	for i := len(leaves); i < n; i++ {
		level[i] = zero
	}
	buf := make([]T, n/2)
	for len(level) > 1 {
		next := buf[:len(level)/2]
		if err := compress(level, next); err != nil {
			return none, fmt.Errorf("level of %d nodes: %w", len(level), err)
		}
		level, buf = next, level
	}
	return level[0], nil
}
