package frontend_test

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/frontend"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/msm"
	msmbn254 "github.com/zkaccel/zkaccel/msm/bn254"
)

// TestNewDeviceBatch checks the requests of a batch whose items take some
// of their scalars from the device (hn): those items' requests have no
// scalars and hn of them; an item with none on either side is the
// identity, left out of the requests and set by Done (reported as run on
// the call's device, whatever ZKACCEL_DEVICE says); Select picks each
// request's entry of a per-item slice; malformed batches are errors.
func TestNewDeviceBatch(t *testing.T) {
	rng := inputs.NewRand(1)
	pts := inputs.BN254G1(rng, 40)
	loaded, err := msmbn254.LoadG1(pts, msm.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		t.Fatal(err)
	}
	sc := inputs.Elements[fr.Element](rng, 7)
	items := []msmbn254.BatchG1{
		{P: new(bn254.G1Jac), Points: loaded, Lo: 3},                       // 12 on the device
		{P: new(bn254.G1Jac), Points: loaded, Lo: 1, Scalars: sc},          // 7 from the host
		{P: new(bn254.G1Jac), Points: loaded, Report: new(zkaccel.Report)}, // the identity
		{P: new(bn254.G1Jac), Points: loaded, Lo: 30},                      // 10 on the device
	}
	hn := []int{12, 0, 0, 10}
	b, err := frontend.NewDeviceBatch[bn254.G1Jac, bn254.G1Affine, fr.Element](items, hn, zkaccel.HostCPU(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Requests) != 3 {
		t.Fatalf("%d requests, want 3 (the identity left out)", len(b.Requests))
	}
	for k, want := range []struct {
		n, scalars int
		points     []bn254.G1Affine
	}{{12, 0, pts[3:15]}, {7, 7 * fr.Bytes, pts[1:8]}, {10, 0, pts[30:40]}} {
		r := b.Requests[k]
		if r.N != want.n || len(r.Scalars) != want.scalars || r.NbTasks != 3 || string(r.Points) != string(rawbytes.Of(want.points)) {
			t.Errorf("request %d: N %d, %d bytes of scalars, %d tasks, points from the right place %v", k, r.N, len(r.Scalars), r.NbTasks, string(r.Points) == string(rawbytes.Of(want.points)))
		}
	}
	if got := b.Select([]int{5, -1, 99, 17}); len(got) != 3 || got[0] != 5 || got[1] != -1 || got[2] != 17 {
		t.Errorf("Select = %v, want [5 -1 17]", got)
	}
	// Done: each request's result goes to its item, the identity to its own.
	var want [3]bn254.G1Jac
	want[0].ScalarMultiplicationBase(bn254FrFromUint(2))
	want[1].ScalarMultiplicationBase(bn254FrFromUint(3))
	want[2].ScalarMultiplicationBase(bn254FrFromUint(5))
	for k, r := range b.Requests {
		copy(r.Result, rawbytes.Of(want[k:k+1]))
	}
	// The identity must not depend on the default device: a batch's call
	// has run on its device when Done sets it.
	t.Setenv("ZKACCEL_DEVICE", "nosuch:7")
	if err := b.Done(zkaccel.HostCPU(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if r := items[2].Report; r.Ran != zkaccel.HostCPU() || r.Requested != zkaccel.HostCPU() || r.Fallback || r.N != 0 || r.Elapsed != time.Millisecond {
		t.Errorf("the identity's report: %v (requested %v), want the call's device and time", r, r.Requested)
	}
	if !items[0].P.Equal(&want[0]) || !items[1].P.Equal(&want[1]) || !items[3].P.Equal(&want[2]) {
		t.Error("Done did not set each item's result from its request")
	}
	var inf bn254.G1Jac
	if _, err := inf.MultiExp(nil, nil, ecc.MultiExpConfig{}); err != nil {
		t.Fatal(err)
	}
	if !items[2].P.Equal(&inf) {
		t.Error("the item without scalars is not the identity")
	}

	for _, tc := range []struct {
		name  string
		items []msmbn254.BatchG1
		hn    []int
		want  string
	}{
		{"short-hn", items, []int{1}, "device scalar counts"},
		{"device-and-host", items, []int{0, 7, 0, 0}, "scalars on the device"},
		{"negative", items, []int{-1, 0, 0, 0}, "scalars on the device"},
		{"past-points", items, []int{0, 0, 0, 11}, "from point 30"},
		{"no-points", []msmbn254.BatchG1{{P: new(bn254.G1Jac)}}, []int{3}, "no result or no points"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := frontend.NewDeviceBatch[bn254.G1Jac, bn254.G1Affine, fr.Element](tc.items, tc.hn, zkaccel.HostCPU(), 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// bn254FrFromUint returns v as a big integer for a scalar multiplication.
func bn254FrFromUint(v uint64) *big.Int { return new(big.Int).SetUint64(v) }

// infDevice answers every MSM with the point at infinity as a device may
// write it, Z = 0 beside nonzero X and Y, one by one or as a batch.
type infDevice struct{ zkaccel.Device }

func (infDevice) MSM(req *zkaccel.MSMRequest) error {
	for i := range req.Result {
		req.Result[i] = byte(i + 1)
	}
	clear(req.Result[len(req.Result)/3*2:])
	return nil
}

func (d infDevice) MSMBatch(reqs []*zkaccel.MSMRequest) error {
	for _, r := range reqs {
		if err := d.MSM(r); err != nil {
			return err
		}
	}
	return nil
}

// TestInfinityAsGnark checks that an MSM whose sum is the point at
// infinity returns it byte for byte as gnark-crypto's MultiExp does,
// (0, 0, 0), whatever X and Y the device wrote beside Z = 0: one MSM, and
// the items of a batch.
func TestInfinityAsGnark(t *testing.T) {
	dev := infDevice{fakedev.New("infinity", nil, nil)}
	pts := inputs.BN254G1(inputs.NewRand(2), 2)
	pts[1].Neg(&pts[0])
	sc := []fr.Element{fr.One(), fr.One()} // P + (−P)
	var want bn254.G1Jac
	if _, err := want.MultiExp(pts, sc, ecc.MultiExpConfig{}); err != nil {
		t.Fatal(err)
	}
	wantRaw := string(rawbytes.Of([]bn254.G1Jac{want}))
	got, err := msmbn254.MultiExpG1(nil, pts, sc, msm.WithDevice(dev))
	if err != nil {
		t.Fatal(err)
	}
	if g := rawbytes.Of([]bn254.G1Jac{*got}); string(g) != wantRaw {
		t.Errorf("MultiExpG1 wrote the point at infinity as %x, want gnark-crypto's %x", g, wantRaw)
	}
	loaded, err := msmbn254.LoadG1(pts, msm.WithDevice(dev))
	if err != nil {
		t.Fatal(err)
	}
	defer loaded.Free()
	items := []msmbn254.BatchG1{
		{P: new(bn254.G1Jac), Points: loaded, Scalars: sc},
		{P: new(bn254.G1Jac), Points: loaded, Scalars: sc},
	}
	if err := msmbn254.MultiExpG1LoadedBatch(items, msm.WithDevice(dev)); err != nil {
		t.Fatal(err)
	}
	for i, it := range items {
		if g := rawbytes.Of([]bn254.G1Jac{*it.P}); string(g) != wantRaw {
			t.Errorf("batch item %d: the point at infinity written as %x, want gnark-crypto's %x", i, g, wantRaw)
		}
	}
}
