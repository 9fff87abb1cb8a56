// Package frontend holds the generic bodies of the MSM and NTT front ends;
// the per-curve and per-field packages instantiate them with gnark-crypto's
// types.
package frontend

import "unsafe"

// Bytes views a slice of gnark-crypto values (fixed-size arrays of limbs, or
// structs of them) as its bytes, without copying. That view is the layout
// device backends receive (see zkaccel.MSMRequest).
func Bytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}

// poison fills b with a pattern that is no valid field element in
// Montgomery form for any field here, so that a device that forgets to
// write its output is caught by the comparison, not hidden by zeros.
func poison(b []byte) {
	for i := range b {
		b[i] = 0xA5
	}
}
