package bn254

import (
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel/internal/circomparams"
)

// circomlib's Poseidon instances: width t = inputs + 1 for 1 to 16 inputs,
// 8 full rounds, and the partial rounds of circomPartialRounds, indexed by
// t − 2 (see internal/circomparams, which generates the constants).
const (
	circomMaxInputs  = circomparams.MaxInputs
	circomFullRounds = circomparams.FullRounds
)

var circomPartialRounds = circomparams.PartialRounds

// circomParams holds one width's constants in two equivalent forms, the
// plain one (rc, mds) and the optimized one (c, pre, sparse); see
// circomparams.Params for their layout and the rounds that use them.
type circomParams struct {
	t, rf, rp int

	rc  []fr.Element // plain round constants, (RF+RP)·t, round after round
	mds []fr.Element // M, t×t, row-major: s'[i] = Σ_j mds[i·t+j]·s[j]

	c      []fr.Element // optimized constants, RF·t + RP
	pre    []fr.Element // P, t×t, row-major, for the last of the first full rounds
	sparse []fr.Element // the A_j, 2t−1 per partial round
}

var circomCache [circomMaxInputs + 2]struct {
	once sync.Once
	p    *circomParams
	err  error
}

// circomParamsFor returns the constants of width t (2 to 17), generating
// them on first use.
func circomParamsFor(t int) (*circomParams, error) {
	c := &circomCache[t]
	c.once.Do(func() {
		var g *circomparams.Params
		if g, c.err = circomparams.For(t); c.err == nil {
			c.p = fromShared(g)
		}
	})
	return c.p, c.err
}

// newCircomParams generates width t's constants without caching them.
func newCircomParams(t int) (*circomParams, error) {
	g, err := circomparams.New(t)
	if err != nil {
		return nil, err
	}
	return fromShared(g), nil
}

// fromShared views the shared constants g in this package's layout.
func fromShared(g *circomparams.Params) *circomParams {
	return &circomParams{t: g.T, rf: g.RF, rp: g.RP, rc: g.RC, mds: g.MDS, c: g.C, pre: g.Pre, sparse: g.Sparse}
}
