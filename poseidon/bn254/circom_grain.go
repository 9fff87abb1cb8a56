package bn254

import (
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel/internal/circomparams"
)

// The constants of circomlib's Poseidon are not embedded: they are derived,
// as circomlib derived them, with the Grain LFSR procedure of the Poseidon
// reference implementation, in internal/circomparams (shared with the GPU
// device code). The tests of this package check the result against the
// constants that go-iden3-crypto embeds (from circomlibjs) for every width.

// grainConstants returns the reference's round constants for width t with
// rf full and rp partial rounds, (rf+rp)·t of them in round order, and its
// Cauchy MDS matrix (see circomparams.GrainConstants).
func grainConstants(t, rf, rp int) (rc []fr.Element, m [][]fr.Element, ok bool) {
	return circomparams.GrainConstants(t, rf, rp)
}
