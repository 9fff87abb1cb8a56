package frontend

import (
	"errors"
	"fmt"
	"time"

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
	if len(points) != len(scalars) {
		return nil, fmt.Errorf("zkaccel: %s: %d points but %d scalars", g.Op, len(points), len(scalars))
	}
	return multiExp[J, A, S, PJ](g, p, points, scalars, nil, 0, opts)
}

// multiExp is MultiExp of len(scalars) points; where res holds them from
// point lo in the memory of the device the call runs on, the request names
// res instead of carrying the points.
func multiExp[J, A, S any, PJ Jacobian[J, A, S]](g MSMGroup, p *J, points []A, scalars []S, res zkaccel.ResidentPoints, lo int, opts []msm.Option) (*J, error) {
	cfg := dispatch.Apply(opts)
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
		var out [1]J
		raw := rawbytes.Of(out[:])
		rawbytes.Poison(raw)
		req := zkaccel.MSMRequest{
			Curve: g.Curve, Group: g.Group, N: n,
			Scalars: rawbytes.Of(scalars), Result: raw, NbTasks: nbTasks,
		}
		if res != nil && dev == res.Device() {
			req.Resident, req.ResidentOffset = res, lo
		} else {
			req.Points = rawbytes.Of(points)
		}
		if err := md.MSM(&req); err != nil {
			return err
		}
		rawbytes.ClearInfinity(raw) // the point at infinity as gnark-crypto writes it
		PJ(p).Set(&out[0])
		return nil
	}
	if err := dispatch.Run(&cfg, g.Op, n, accel, cpu); err != nil {
		return nil, err
	}
	return p, nil
}

// Loaded is a set of MSM points loaded once for many MSMs: resident in the
// memory of the device that loaded it where that device keeps points
// (zkaccel.ResidentMSMDevice), and the host slice in every case, for the
// CPU and for other devices.
type Loaded[A any] struct {
	g      MSMGroup
	points []A
	res    zkaccel.ResidentPoints // nil where the device keeps no points
}

// Load loads points for MSMs on the device the options choose (else the
// default device): resident where it keeps points, else only referenced.
// The points must not change while loaded.
func Load[A any](g MSMGroup, points []A, opts []msm.Option) (*Loaded[A], error) {
	cfg := dispatch.Apply(opts)
	l := &Loaded[A]{g: g, points: points}
	dev, err := cfg.Target()
	if err != nil {
		return nil, fmt.Errorf("zkaccel: load %s points: %w", g.Op, err)
	}
	rd, ok := dev.(zkaccel.ResidentMSMDevice)
	if !ok || len(points) == 0 {
		return l, nil
	}
	res, err := rd.LoadPoints(g.Curve, g.Group, rawbytes.Of(points), len(points))
	switch {
	case err == nil:
		l.res = res
	case errors.Is(err, zkaccel.ErrUnsupported):
		// The device does not keep these (a group it lacks, or no room):
		// MSMs over them copy them from the host on each call.
		zkaccel.Debugf("load %d %s points on %v: they stay in host memory: %v", len(points), g.Op, dev, err)
	default:
		return nil, fmt.Errorf("zkaccel: load %s points on %v: %w", g.Op, dev, err)
	}
	return l, nil
}

// Points returns the host points.
func (l *Loaded[A]) Points() []A { return l.points }

// Resident reports the device that holds the points, nil when none does.
func (l *Loaded[A]) Resident() zkaccel.Device {
	if l.res == nil {
		return nil
	}
	return l.res.Device()
}

// Size is the points' size in bytes (affine, gnark-crypto's layout).
func (l *Loaded[A]) Size() int64 { return int64(len(rawbytes.Of(l.points))) }

// Free releases the device's copy; the host points stay usable.
func (l *Loaded[A]) Free() {
	if l.res != nil {
		l.res.Free()
		l.res = nil
	}
}

// MultiExpLoaded computes Σ scalars[i]·points[lo+i] into p with points
// from l: from the device's memory when the call runs on the device that
// holds them, from the host slice otherwise (the CPU, another device, a
// fallback).
func MultiExpLoaded[J, A, S any, PJ Jacobian[J, A, S]](p *J, l *Loaded[A], lo int, scalars []S, opts []msm.Option) (*J, error) {
	g := l.g
	if lo < 0 || lo > len(l.points) || len(scalars) > len(l.points)-lo {
		return nil, fmt.Errorf("zkaccel: %s: %d scalars from point %d of %d loaded", g.Op, len(scalars), lo, len(l.points))
	}
	return multiExp[J, A, S, PJ](g, p, l.points[lo:lo+len(scalars)], scalars, l.res, lo, opts)
}

// BatchItem is one MSM of [MultiExpLoadedBatch]: P = Σ Scalars[i]·
// Points[Lo+i], and Report, when not nil, says where it ran.
type BatchItem[J, A, S any] struct {
	P       *J
	Points  *Loaded[A]
	Lo      int
	Scalars []S
	Report  *zkaccel.Report
}

// MultiExpLoadedBatch computes each item as MultiExpLoaded would. Where
// the options name a device (not the automatic default) that runs MSM
// batches (zkaccel.MSMBatchDevice), the items go to it as one call, so
// that each MSM's data go up while the one before computes; each item's
// Report then gives the whole batch's time as its Elapsed. Elsewhere, or
// where the device declines the batch (an error wrapping ErrUnsupported),
// the items run one after the other through MultiExpLoaded, each with its
// own device choice and CPU fallback.
func MultiExpLoadedBatch[J, A, S any, PJ Jacobian[J, A, S]](items []BatchItem[J, A, S], opts []msm.Option) error {
	es, err := batchEntries[J, A, S, PJ](items, 0, nil, opts)
	if err != nil {
		return err
	}
	return runBatch(es, opts)
}

// MultiExpLoadedBatch2 is MultiExpLoadedBatch over the items of two groups
// whose scalars share a field (G1 and G2 of one curve) as one batch: one
// device call for both, items1 first.
func MultiExpLoadedBatch2[J1, A1, S any, PJ1 Jacobian[J1, A1, S], J2, A2 any, PJ2 Jacobian[J2, A2, S]](items1 []BatchItem[J1, A1, S], items2 []BatchItem[J2, A2, S], opts []msm.Option) error {
	es1, err := batchEntries[J1, A1, S, PJ1](items1, 0, nil, opts)
	if err != nil {
		return err
	}
	es2, err := batchEntries[J2, A2, S, PJ2](items2, len(items1), nil, opts)
	if err != nil {
		return err
	}
	return runBatch(append(es1, es2...), opts)
}

// DeviceBatch is the MSM requests of a batch for a device call that runs
// them after work of its own (zkaccel.Groth16MSMDevice: Groth16's quotient,
// then the proof's MSMs; zkaccel.PlonkMSMDevice), made from items as
// MultiExpLoadedBatch2 makes them for MSMBatch, but for items whose
// scalars the call computes on the device (see NewDeviceBatch2 and
// NewDeviceBatch), whose requests have empty Scalars.
type DeviceBatch struct {
	// Requests are the items' requests, items1's then items2's, but for
	// the items with no scalar (whose sum, the identity, Done sets).
	Requests []*zkaccel.MSMRequest
	es       []batchEntry
	sent     []int // the entries of Requests
}

// NewDeviceBatch2 checks items1 and items2 and makes their requests to dev
// (resident points where dev holds them, else host points), with nbTasks
// as each request's NbTasks. Where h ≥ 0, items1[h] has no Scalars: its
// scalars are hn elements that the call computes on the device before the
// MSMs (Groth16's H).
func NewDeviceBatch2[J1, A1, S any, PJ1 Jacobian[J1, A1, S], J2, A2 any, PJ2 Jacobian[J2, A2, S]](items1 []BatchItem[J1, A1, S], items2 []BatchItem[J2, A2, S], h, hn int, dev zkaccel.Device, nbTasks int) (*DeviceBatch, error) {
	if h >= len(items1) {
		return nil, fmt.Errorf("zkaccel: msm batch: item %d of %d takes the device's scalars", h, len(items1))
	}
	var hns []int
	if h >= 0 {
		if hn < 1 {
			return nil, fmt.Errorf("zkaccel: msm batch: item %d takes %d of the device's scalars", h, hn)
		}
		hns = make([]int, len(items1))
		hns[h] = hn
	}
	es1, err := batchEntries[J1, A1, S, PJ1](items1, 0, hns, nil)
	if err != nil {
		return nil, err
	}
	es2, err := batchEntries[J2, A2, S, PJ2](items2, len(items1), nil, nil)
	if err != nil {
		return nil, err
	}
	return newDeviceBatch(append(es1, es2...), dev, nbTasks), nil
}

// NewDeviceBatch checks items and makes their requests to dev (resident
// points where dev holds them, else host points), with nbTasks as each
// request's NbTasks. Where hn[i] > 0 (hn may be nil), items[i] has no
// Scalars: its scalars are hn[i] elements that the call computes on the
// device before the MSMs (PLONK's H). Select gives each request's entry of
// a slice parallel to items.
func NewDeviceBatch[J, A, S any, PJ Jacobian[J, A, S]](items []BatchItem[J, A, S], hn []int, dev zkaccel.Device, nbTasks int) (*DeviceBatch, error) {
	if hn != nil && len(hn) != len(items) {
		return nil, fmt.Errorf("zkaccel: msm batch: %d device scalar counts for %d items", len(hn), len(items))
	}
	es, err := batchEntries[J, A, S, PJ](items, 0, hn, nil)
	if err != nil {
		return nil, err
	}
	return newDeviceBatch(es, dev, nbTasks), nil
}

// Select returns, for each of b's Requests, the entry of v (one per item
// of the batch, in the items' order) for its item.
func (b *DeviceBatch) Select(v []int) []int {
	out := make([]int, len(b.sent))
	for k, i := range b.sent {
		out[k] = v[i]
	}
	return out
}

// newDeviceBatch makes the requests to dev of the entries with scalars.
func newDeviceBatch(es []batchEntry, dev zkaccel.Device, nbTasks int) *DeviceBatch {
	b := &DeviceBatch{es: es}
	for i, e := range es {
		if e.n == 0 {
			continue // the identity, on the CPU in Done
		}
		b.Requests = append(b.Requests, e.request(dev, nbTasks))
		b.sent = append(b.sent, i)
	}
	return b
}

// Done sets each item's result once the call that ran Requests succeeded,
// and fills each item's Report as run on dev in elapsed, the whole call's
// time. An item with no scalar gets the identity, as gnark-crypto's
// MultiExp writes it, computed here without a device, and the same Report
// (as MultiExpLoaded reports a call of no scalar on a device): nothing here
// depends on the default device (ZKACCEL_DEVICE), so nothing fails once the
// device has done its part.
func (b *DeviceBatch) Done(dev zkaccel.Device, elapsed time.Duration) error {
	for _, e := range b.es {
		if e.n == 0 {
			if err := e.identity(); err != nil {
				return err
			}
		} else {
			e.done()
		}
		if e.report != nil {
			*e.report = zkaccel.Report{Op: e.op, N: e.n, Requested: dev, Ran: dev, Elapsed: elapsed}
		}
	}
	return nil
}

// batchEntry is one item of a batch, whatever its group: its size, how to
// make its device request, how to take its result back, and how to run it
// alone.
type batchEntry struct {
	n      int
	op     string
	report *zkaccel.Report
	// request returns the item's request to dev, with its result going to
	// a poisoned buffer of its own; done copies that result to the item.
	request func(dev zkaccel.Device, nbTasks int) *zkaccel.MSMRequest
	done    func()
	// one runs the item through MultiExpLoaded.
	one func() error
	// identity sets the result of an item with no scalar, with
	// gnark-crypto's MultiExp of no point.
	identity func() error
}

// batchEntries checks items (numbered from first in errors) and makes
// their entries; where hn[i] > 0 (hn may be nil), items[i]'s scalars are
// hn[i] elements on the device (its entry cannot run alone).
func batchEntries[J, A, S any, PJ Jacobian[J, A, S]](items []BatchItem[J, A, S], first int, hn []int, opts []msm.Option) ([]batchEntry, error) {
	es := make([]batchEntry, len(items))
	for i, it := range items {
		n := len(it.Scalars)
		onDev := hn != nil && hn[i] != 0
		if onDev {
			n = hn[i]
		}
		switch {
		case it.P == nil || it.Points == nil:
			return nil, fmt.Errorf("zkaccel: msm batch: item %d has no result or no points", first+i)
		case onDev && (n < 1 || len(it.Scalars) != 0):
			return nil, fmt.Errorf("zkaccel: %s: item %d: %d scalars on the device, %d on the host", it.Points.g.Op, first+i, n, len(it.Scalars))
		case it.Lo < 0 || it.Lo > len(it.Points.points) || n > len(it.Points.points)-it.Lo:
			return nil, fmt.Errorf("zkaccel: %s: item %d: %d scalars from point %d of %d loaded", it.Points.g.Op, first+i, n, it.Lo, len(it.Points.points))
		}
		out := make([]J, 1)
		es[i] = batchEntry{
			n: n, op: it.Points.g.Op, report: it.Report,
			request: func(dev zkaccel.Device, nbTasks int) *zkaccel.MSMRequest {
				g := it.Points.g
				raw := rawbytes.Of(out)
				rawbytes.Poison(raw)
				req := &zkaccel.MSMRequest{Curve: g.Curve, Group: g.Group, N: n, Scalars: rawbytes.Of(it.Scalars), Result: raw, NbTasks: nbTasks}
				if res := it.Points.res; res != nil && res.Device() == dev {
					req.Resident, req.ResidentOffset = res, it.Lo
				} else {
					req.Points = rawbytes.Of(it.Points.points[it.Lo : it.Lo+n])
				}
				return req
			},
			done: func() {
				rawbytes.ClearInfinity(rawbytes.Of(out))
				PJ(it.P).Set(&out[0])
			},
			one: func() error {
				o := opts
				if it.Report != nil {
					o = append(opts[:len(opts):len(opts)], msm.WithReport(it.Report))
				}
				_, err := MultiExpLoaded[J, A, S, PJ](it.P, it.Points, it.Lo, it.Scalars, o)
				return err
			},
			identity: func() error {
				if _, err := PJ(it.P).MultiExp(nil, nil, ecc.MultiExpConfig{}); err != nil {
					return fmt.Errorf("zkaccel: %s: item %d: the identity: %w", it.Points.g.Op, first+i, err)
				}
				return nil
			},
		}
	}
	return es, nil
}

// runBatch runs checked entries as MultiExpLoadedBatch describes.
func runBatch(es []batchEntry, opts []msm.Option) error {
	all := func() error {
		for _, e := range es {
			if err := e.one(); err != nil {
				return err
			}
		}
		return nil
	}
	cfg := dispatch.Apply(opts)
	bd, ok := cfg.Device.(zkaccel.MSMBatchDevice)
	if !ok || len(es) < 2 {
		return all()
	}
	start := time.Now()
	b := newDeviceBatch(es, bd, cfg.NbTasks)
	if len(b.Requests) > 0 {
		err := bd.MSMBatch(b.Requests)
		switch {
		case errors.Is(err, zkaccel.ErrUnsupported):
			zkaccel.Debugf("msm batch of %d on %v: %v; one by one", len(b.Requests), bd, err)
			return all()
		case err != nil:
			return err
		}
	}
	return b.Done(bd, time.Since(start))
}
