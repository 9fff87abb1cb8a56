// Package bls12381 is the multi-scalar multiplication front end for BLS12-381:
// drop-in replacements for gnark-crypto's (*G1Jac).MultiExp and
// (*G2Jac).MultiExp that run on any zkaccel device.
package bls12381

import (
	curve "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/frontend"
	"github.com/zkaccel/zkaccel/msm"
)

var (
	g1 = frontend.NewMSMGroup(zkaccel.BLS12381, zkaccel.G1)
	g2 = frontend.NewMSMGroup(zkaccel.BLS12381, zkaccel.G2)
)

// MultiExpG1 sets p to Σ scalars[i]·points[i] in BLS12-381 G1 and returns p,
// as gnark-crypto's p.MultiExp(points, scalars, config) does; a nil p
// is allocated. It runs on the device of msm.WithDevice, else on
// zkaccel.Default(), and falls back to the CPU where that device lacks the
// operation. len(points) must equal len(scalars); points and scalars are not
// modified. Not constant-time.
//
// The result is the point gnark-crypto's MultiExp returns. Computed on a
// device, its Jacobian coordinates (X, Y, Z) may be another representative
// of that point (compare with Equal, or in affine form); the point at
// infinity is written (0, 0, 0), as gnark-crypto writes it.
func MultiExpG1(p *curve.G1Jac, points []curve.G1Affine, scalars []fr.Element, opts ...msm.Option) (*curve.G1Jac, error) {
	return frontend.MultiExp(g1, p, points, scalars, opts)
}

// MultiExpG2 is [MultiExpG1] for BLS12-381 G2.
func MultiExpG2(p *curve.G2Jac, points []curve.G2Affine, scalars []fr.Element, opts ...msm.Option) (*curve.G2Jac, error) {
	return frontend.MultiExp(g2, p, points, scalars, opts)
}

// PointsG1 are BLS12-381 G1 points loaded once for many MSMs (see [LoadG1]).
type PointsG1 = frontend.Loaded[curve.G1Affine]

// PointsG2 are BLS12-381 G2 points loaded once for many MSMs (see [LoadG2]).
type PointsG2 = frontend.Loaded[curve.G2Affine]

// LoadG1 loads points for many MSMs on the device of msm.WithDevice, else
// zkaccel.Default(): into the device's memory where it keeps points (the
// GPU devices, while their resident data stay within half of their memory
// and they have room), else only referenced (the CPU; a GPU without room,
// whose MSMs then copy the points on each call). MSMs through
// [MultiExpG1Loaded] on a device that keeps them move no points; Resident
// says which device does. Free releases the device's copy; the points must
// not change while they are loaded.
func LoadG1(points []curve.G1Affine, opts ...msm.Option) (*PointsG1, error) {
	return frontend.Load(g1, points, opts)
}

// LoadG2 is [LoadG1] for G2.
func LoadG2(points []curve.G2Affine, opts ...msm.Option) (*PointsG2, error) {
	return frontend.Load(g2, points, opts)
}

// MultiExpG1Loaded sets p to Σ scalars[i]·points[lo+i] and returns p, as
// [MultiExpG1] does, with the points loaded by [LoadG1]: from the device's
// memory when the call runs on the device that holds them, else from the
// host points.
func MultiExpG1Loaded(p *curve.G1Jac, points *PointsG1, lo int, scalars []fr.Element, opts ...msm.Option) (*curve.G1Jac, error) {
	return frontend.MultiExpLoaded[curve.G1Jac, curve.G1Affine, fr.Element](p, points, lo, scalars, opts)
}

// MultiExpG2Loaded is [MultiExpG1Loaded] for G2.
func MultiExpG2Loaded(p *curve.G2Jac, points *PointsG2, lo int, scalars []fr.Element, opts ...msm.Option) (*curve.G2Jac, error) {
	return frontend.MultiExpLoaded[curve.G2Jac, curve.G2Affine, fr.Element](p, points, lo, scalars, opts)
}

// BatchG1 is one MSM of [MultiExpG1LoadedBatch]: P = Σ Scalars[i]·
// Points[Lo+i], with Report, when not nil, filled as msm.WithReport fills
// one.
type BatchG1 = frontend.BatchItem[curve.G1Jac, curve.G1Affine, fr.Element]

// BatchG2 is [BatchG1] for G2.
type BatchG2 = frontend.BatchItem[curve.G2Jac, curve.G2Affine, fr.Element]

// MultiExpG1LoadedBatch computes each item as [MultiExpG1Loaded] would. On a
// device named by msm.WithDevice that runs MSM batches
// (zkaccel.MSMBatchDevice: the GPUs), the items go to it as one call, each
// MSM's scalars going up while the one before computes; elsewhere they run
// one after the other.
func MultiExpG1LoadedBatch(items []BatchG1, opts ...msm.Option) error {
	return frontend.MultiExpLoadedBatch[curve.G1Jac, curve.G1Affine, fr.Element](items, opts)
}

// MultiExpG2LoadedBatch is [MultiExpG1LoadedBatch] for G2.
func MultiExpG2LoadedBatch(items []BatchG2, opts ...msm.Option) error {
	return frontend.MultiExpLoadedBatch[curve.G2Jac, curve.G2Affine, fr.Element](items, opts)
}

// MultiExpLoadedBatchG1G2 is [MultiExpG1LoadedBatch] over G1 and G2 items
// together: on a device that runs MSM batches, one call for both (the G1
// items first), as a Groth16 proof's A, B and K MSMs, whose B in G2 shares
// its scalars with B in G1.
func MultiExpLoadedBatchG1G2(g1 []BatchG1, g2 []BatchG2, opts ...msm.Option) error {
	return frontend.MultiExpLoadedBatch2[curve.G1Jac, curve.G1Affine, fr.Element, *curve.G1Jac, curve.G2Jac, curve.G2Affine, *curve.G2Jac](g1, g2, opts)
}
