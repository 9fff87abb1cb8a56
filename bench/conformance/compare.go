package conformance

import (
	"bytes"
	"fmt"

	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// unmodified reports, as an error naming the first differing index, whether
// got (a slice the caller passed to a front end) differs byte for byte from
// want (a copy taken before the call).
func unmodified[T any](what string, got, want []T) error {
	if len(got) != len(want) {
		return fmt.Errorf("the caller's %s changed length from %d to %d", what, len(want), len(got))
	}
	var one [1]T
	size := len(rawbytes.Of(one[:]))
	gb, wb := rawbytes.Of(got), rawbytes.Of(want)
	if bytes.Equal(gb, wb) {
		return nil
	}
	for i := range got {
		if !bytes.Equal(gb[i*size:(i+1)*size], wb[i*size:(i+1)*size]) {
			return fmt.Errorf("the caller's %s were modified, first at index %d", what, i)
		}
	}
	return nil
}

// firstDiff returns the first index where eq(&got[i], &want[i]) is false,
// or -1 when there is none (the lengths must be equal).
func firstDiff[T any](got, want []T, eq func(a, b *T) bool) int {
	for i := range got {
		if !eq(&got[i], &want[i]) {
			return i
		}
	}
	return -1
}
