package frontend

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/msm"
)

// Jacobian is the constraint a gnark-crypto Jacobian point type (*G1Jac,
// *G2Jac of any curve) meets, with A its affine type and S its scalar type.
type Jacobian[J, A, S any] interface {
	*J
	MultiExp(points []A, scalars []S, config ecc.MultiExpConfig) (*J, error)
	Set(q *J) *J
}

// MSMGroup names one curve group for the MSM front end.
type MSMGroup struct {
	Curve zkaccel.Curve
	Group zkaccel.Group
	Op    string // "msm bn254 g1"
}

// NewMSMGroup describes a curve group.
func NewMSMGroup(c zkaccel.Curve, g zkaccel.Group) MSMGroup {
	return MSMGroup{Curve: c, Group: g, Op: fmt.Sprintf("msm %s %s", c, g)}
}

// MultiExp computes Σ scalars[i]·points[i] into p (allocated when nil) on
// the device the options choose, falling back to gnark-crypto's
// (*J).MultiExp on the CPU, and returns p.
func MultiExp[J, A, S any, PJ Jacobian[J, A, S]](g MSMGroup, p *J, points []A, scalars []S, opts []msm.Option) (*J, error) {
	cfg := dispatch.Apply(opts)
	if len(points) != len(scalars) {
		return nil, fmt.Errorf("zkaccel: %s: %d points but %d scalars", g.Op, len(points), len(scalars))
	}
	if p == nil {
		p = new(J)
	}
	n, nbTasks := len(points), cfg.NbTasks
	cpu := func() error {
		_, err := PJ(p).MultiExp(points, scalars, ecc.MultiExpConfig{NbTasks: nbTasks})
		return err
	}
	accel := func(dev zkaccel.Device) error {
		if n == 0 {
			return cpu() // the identity; nothing for a device to do
		}
		md, ok := dev.(zkaccel.MSMDevice)
		if !ok {
			return dispatch.Unsupported(dev, g.Op)
		}
		var res [1]J
		out := rawbytes.Of(res[:])
		rawbytes.Poison(out)
		req := zkaccel.MSMRequest{
			Curve: g.Curve, Group: g.Group, N: n,
			Points: rawbytes.Of(points), Scalars: rawbytes.Of(scalars), Result: out,
			NbTasks: nbTasks,
		}
		if err := md.MSM(&req); err != nil {
			return err
		}
		PJ(p).Set(&res[0])
		return nil
	}
	if err := dispatch.Run(&cfg, g.Op, n, accel, cpu); err != nil {
		return nil, err
	}
	return p, nil
}
