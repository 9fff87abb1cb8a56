// Package bls12377 is the multi-scalar multiplication front end for BLS12-377:
// drop-in replacements for gnark-crypto's (*G1Jac).MultiExp and
// (*G2Jac).MultiExp that run on any zkaccel device.
package bls12377

import (
	curve "github.com/consensys/gnark-crypto/ecc/bls12-377"
	"github.com/consensys/gnark-crypto/ecc/bls12-377/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/frontend"
	"github.com/zkaccel/zkaccel/msm"
)

var (
	g1 = frontend.NewMSMGroup(zkaccel.BLS12377, zkaccel.G1)
	g2 = frontend.NewMSMGroup(zkaccel.BLS12377, zkaccel.G2)
)

// MultiExpG1 sets p to Σ scalars[i]·points[i] in BLS12-377 G1 and returns p,
// exactly as gnark-crypto's p.MultiExp(points, scalars, config) does; a nil p
// is allocated. It runs on the device of msm.WithDevice, else on
// zkaccel.Default(), and falls back to the CPU where that device lacks the
// operation. len(points) must equal len(scalars); points and scalars are not
// modified. Not constant-time.
func MultiExpG1(p *curve.G1Jac, points []curve.G1Affine, scalars []fr.Element, opts ...msm.Option) (*curve.G1Jac, error) {
	return frontend.MultiExp(g1, p, points, scalars, opts)
}

// MultiExpG2 is [MultiExpG1] for BLS12-377 G2.
func MultiExpG2(p *curve.G2Jac, points []curve.G2Affine, scalars []fr.Element, opts ...msm.Option) (*curve.G2Jac, error) {
	return frontend.MultiExp(g2, p, points, scalars, opts)
}
