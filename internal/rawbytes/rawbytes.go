// Package rawbytes views slices of fixed-size values (gnark-crypto field
// elements and points, Keccak states, digests) as bytes, the layout device
// requests carry, and poisons output buffers before a device writes them.
// It depends on nothing, so every front end can use it.
package rawbytes

import "unsafe"

// Of views s as its bytes, without copying; nil for an empty slice. T must
// hold no pointers (arrays of limbs or words, or structs of them).
func Of[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}

// Poison fills b with 0xFF bytes before a device writes it, so that a device
// that leaves any of it unwritten is caught by a comparison rather than
// hidden by zeros. An all-ones word is no reduced element of any field
// zkaccel handles (each modulus is below the all-ones value of its top
// limb), so a poisoned element never passes for a result.
func Poison(b []byte) {
	for i := range b {
		b[i] = 0xFF
	}
}

// ClearInfinity zeroes the Jacobian point jac (X, Y, Z of equal sizes, as
// gnark-crypto lays them out) where it is the point at infinity (Z = 0):
// gnark-crypto's MultiExp writes that point as (0, 0, 0), while a device's
// point at infinity may carry any X and Y (as gnark-crypto's AddAssign
// leaves them when it adds a point to its negation). Other points are left
// as they are.
func ClearInfinity(jac []byte) {
	for _, b := range jac[len(jac)/3*2:] {
		if b != 0 {
			return
		}
	}
	clear(jac)
}
