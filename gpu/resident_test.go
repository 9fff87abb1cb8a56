package gpu_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	bls377 "github.com/consensys/gnark-crypto/ecc/bls12-377"
	bls377fr "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/msm"
	msmbls377 "github.com/zkaccel/zkaccel/msm/bls12-377"
	msmbn254 "github.com/zkaccel/zkaccel/msm/bn254"
)

// TestResidentMSM loads points into each GPU device once and runs MSMs on
// ranges of them (G1 of BN254, G2 of BLS12-377), checked against
// gnark-crypto; after Free the front end uses the host points, and the
// device refuses requests that name freed, foreign or mismatched points.
func TestResidentMSM(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		const n = 300
		points := inputs.BN254G1(rng, n)
		scalars := inputs.Elements[fr.Element](rng, n)
		loaded, err := msmbn254.LoadG1(points, msm.WithDevice(d))
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Resident() != zkaccel.Device(d) {
			t.Fatalf("points resident on %v, want %v", loaded.Resident(), d)
		}
		for _, r := range [][2]int{{0, n}, {0, 1}, {17, 100}, {n - 5, 5}, {n, 0}} {
			lo, cnt := r[0], r[1]
			var want, got bn254.G1Jac
			if _, err := want.MultiExp(points[lo:lo+cnt], scalars[:cnt], ecc.MultiExpConfig{}); err != nil {
				t.Fatal(err)
			}
			var rep zkaccel.Report
			if _, err := msmbn254.MultiExpG1Loaded(&got, loaded, lo, scalars[:cnt], msm.WithDevice(d), msm.WithReport(&rep)); err != nil {
				t.Fatalf("points %d+%d: %v", lo, cnt, err)
			}
			if !got.Equal(&want) {
				t.Errorf("points %d+%d: wrong result", lo, cnt)
			}
			if cnt > 0 && (rep.Ran != zkaccel.Device(d) || rep.Fallback) {
				t.Errorf("points %d+%d ran on %v (fallback %v)", lo, cnt, rep.Ran, rep.Fallback)
			}
		}
		if _, err := msmbn254.MultiExpG1Loaded(nil, loaded, n-1, scalars[:2], msm.WithDevice(d)); err == nil {
			t.Error("a range past the loaded points accepted")
		}

		// The device refuses a mismatched or freed resident set.
		res, err := d.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(points), n)
		if err != nil {
			t.Fatal(err)
		}
		req := func(c zkaccel.Curve, g zkaccel.Group) *zkaccel.MSMRequest {
			out := make([]byte, 3*4*32)
			return &zkaccel.MSMRequest{Curve: c, Group: g, N: 2, Scalars: rawbytes.Of(scalars[:2]), Result: out, Resident: res}
		}
		if err := d.MSM(req(zkaccel.BLS12377, zkaccel.G1)); err == nil || !strings.Contains(err.Error(), "resident points of bn254 g1") {
			t.Errorf("resident points of another curve: %v", err)
		}
		res.Free()
		res.Free()
		loaded.Free()
		loaded.Free()
		r := req(zkaccel.BN254, zkaccel.G1)
		r.Result = make([]byte, 3*32)
		if err := d.MSM(r); err == nil || !strings.Contains(err.Error(), "freed") || errors.Is(err, zkaccel.ErrUnsupported) {
			t.Errorf("freed resident points: %v", err)
		}
		// After Free, the front end computes from the host points.
		var want, got bn254.G1Jac
		want.MultiExp(points[:10], scalars[:10], ecc.MultiExpConfig{})
		if _, err := msmbn254.MultiExpG1Loaded(&got, loaded, 0, scalars[:10], msm.WithDevice(d)); err != nil || !got.Equal(&want) {
			t.Errorf("after Free: %v, equal %v", err, got.Equal(&want))
		}

		// G2 of BLS12-377, which takes Fp2 coordinates.
		p2 := inputs.BLS12377G2(rng, 40)
		s2 := inputs.Elements[bls377fr.Element](rng, 40)
		l2, err := msmbls377.LoadG2(p2, msm.WithDevice(d))
		if err != nil {
			t.Fatal(err)
		}
		defer l2.Free()
		var w2, g2 bls377.G2Jac
		w2.MultiExp(p2[5:35], s2[:30], ecc.MultiExpConfig{})
		if _, err := msmbls377.MultiExpG2Loaded(&g2, l2, 5, s2[:30], msm.WithDevice(d)); err != nil || !g2.Equal(&w2) {
			t.Errorf("BLS12-377 G2 resident: %v, equal %v", err, g2.Equal(&w2))
		}
	})
}

// TestResidentOnCPU: on the CPU, loading references the points and the
// MSMs compute from them.
func TestResidentOnCPU(t *testing.T) {
	rng := inputs.NewRand(3)
	points := inputs.BN254G1(rng, 20)
	scalars := inputs.Elements[fr.Element](rng, 20)
	loaded, err := msmbn254.LoadG1(points, msm.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Resident() != nil {
		t.Errorf("points resident on %v", loaded.Resident())
	}
	var want, got bn254.G1Jac
	want.MultiExp(points[3:13], scalars[:10], ecc.MultiExpConfig{})
	if _, err := msmbn254.MultiExpG1Loaded(&got, loaded, 3, scalars[:10]); err != nil || !got.Equal(&want) {
		t.Errorf("%v, equal %v", err, got.Equal(&want))
	}
	loaded.Free()
}

// TestLoadedBatch runs a batch of BN254 G1 MSMs through the front end
// (msm/bn254.MultiExpG1LoadedBatch): on each GPU device as one call, from
// resident points, from points loaded on another device (the CPU's, sent
// with the request) and with no scalars (the identity); on the CPU one by
// one. Every result is checked against gnark-crypto, and each report says
// where the MSM ran. A batch of G1 and G2 MSMs together runs the same way.
func TestLoadedBatch(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	const n = 300
	points := inputs.BN254G1(rng, n)
	scalars := inputs.Elements[fr.Element](rng, n)
	onCPU, err := msmbn254.LoadG1(points, msm.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, dev zkaccel.Device, loaded *msmbn254.PointsG1) {
		ranges := [][2]int{{0, n}, {17, 100}, {5, 0}, {n - 5, 5}}
		items := make([]msmbn254.BatchG1, len(ranges)+1)
		reps := make([]zkaccel.Report, len(items))
		for i, r := range ranges {
			items[i] = msmbn254.BatchG1{P: new(bn254.G1Jac), Points: loaded, Lo: r[0], Scalars: scalars[:r[1]], Report: &reps[i]}
		}
		items[len(ranges)] = msmbn254.BatchG1{P: new(bn254.G1Jac), Points: onCPU, Lo: 7, Scalars: scalars[:50], Report: &reps[len(ranges)]}
		if err := msmbn254.MultiExpG1LoadedBatch(items, msm.WithDevice(dev)); err != nil {
			t.Fatal(err)
		}
		for i, it := range items {
			var want bn254.G1Jac
			if _, err := want.MultiExp(points[it.Lo:it.Lo+len(it.Scalars)], it.Scalars, ecc.MultiExpConfig{}); err != nil {
				t.Fatal(err)
			}
			if !it.P.Equal(&want) {
				t.Errorf("item %d (%d scalars from %d): wrong result", i, len(it.Scalars), it.Lo)
			}
			if wantRan := dev; len(it.Scalars) > 0 && (reps[i].Ran != wantRan || reps[i].Fallback || reps[i].N != len(it.Scalars)) {
				t.Errorf("item %d: report %v, want it run on %v", i, &reps[i], wantRan)
			}
			// On a GPU one call ran them all: each report gives its time.
			if dev.Kind() != zkaccel.CPU && len(it.Scalars) > 0 && reps[i].Elapsed != reps[0].Elapsed {
				t.Errorf("item %d took %v, item 0 %v: not one batch", i, reps[i].Elapsed, reps[0].Elapsed)
			}
		}
	}
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		loaded, err := msmbn254.LoadG1(points, msm.WithDevice(d))
		if err != nil {
			t.Fatal(err)
		}
		defer loaded.Free()
		check(t, d, loaded)
	})
	t.Run("cpu", func(t *testing.T) { check(t, zkaccel.HostCPU(), onCPU) })
	// G1 and G2 in one batch (msm/bn254.MultiExpLoadedBatchG1G2), B's
	// scalars shared as in a Groth16 proof.
	pointsG2 := inputs.BN254G2(rng, 64)
	mixed := func(t *testing.T, dev zkaccel.Device, g1 *msmbn254.PointsG1, g2 *msmbn254.PointsG2) {
		items1 := []msmbn254.BatchG1{
			{P: new(bn254.G1Jac), Points: g1, Lo: 0, Scalars: scalars[:64], Report: new(zkaccel.Report)},
			{P: new(bn254.G1Jac), Points: g1, Lo: 9, Scalars: scalars[64:100], Report: new(zkaccel.Report)},
		}
		items2 := []msmbn254.BatchG2{
			{P: new(bn254.G2Jac), Points: g2, Lo: 0, Scalars: scalars[:64], Report: new(zkaccel.Report)},
			{P: new(bn254.G2Jac), Points: g2, Lo: 3, Scalars: nil, Report: new(zkaccel.Report)},
		}
		if err := msmbn254.MultiExpLoadedBatchG1G2(items1, items2, msm.WithDevice(dev)); err != nil {
			t.Fatal(err)
		}
		for i, it := range items1 {
			var want bn254.G1Jac
			want.MultiExp(points[it.Lo:it.Lo+len(it.Scalars)], it.Scalars, ecc.MultiExpConfig{})
			if !it.P.Equal(&want) || it.Report.Ran != dev {
				t.Errorf("G1 item %d: equal %v, ran on %v, want %v", i, it.P.Equal(&want), it.Report.Ran, dev)
			}
		}
		for i, it := range items2 {
			var want bn254.G2Jac
			want.MultiExp(pointsG2[it.Lo:it.Lo+len(it.Scalars)], it.Scalars, ecc.MultiExpConfig{})
			if !it.P.Equal(&want) {
				t.Errorf("G2 item %d: wrong result", i)
			}
		}
		if dev.Kind() != zkaccel.CPU && items2[0].Report.Elapsed != items1[0].Report.Elapsed {
			t.Errorf("G2 took %v, G1 %v: not one batch", items2[0].Report.Elapsed, items1[0].Report.Elapsed)
		}
		if err := msmbn254.MultiExpLoadedBatchG1G2(items1, []msmbn254.BatchG2{{P: new(bn254.G2Jac), Points: g2, Lo: 60, Scalars: scalars[:5]}}, msm.WithDevice(dev)); err == nil || !strings.Contains(err.Error(), "item 2") {
			t.Errorf("a G2 range past the loaded points: err = %v, want one naming item 2", err)
		}
	}
	g2OnCPU, err := msmbn254.LoadG2(pointsG2, msm.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		t.Fatal(err)
	}
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		g1, err := msmbn254.LoadG1(points, msm.WithDevice(d))
		if err != nil {
			t.Fatal(err)
		}
		defer g1.Free()
		g2, err := msmbn254.LoadG2(pointsG2, msm.WithDevice(d))
		if err != nil {
			t.Fatal(err)
		}
		defer g2.Free()
		mixed(t, d, g1, g2)
		mixed(t, d, onCPU, g2OnCPU) // points sent with the requests
	})
	t.Run("cpu-mixed", func(t *testing.T) { mixed(t, zkaccel.HostCPU(), onCPU, g2OnCPU) })
	if err := msmbn254.MultiExpG1LoadedBatch([]msmbn254.BatchG1{{P: new(bn254.G1Jac), Points: onCPU, Lo: n - 1, Scalars: scalars[:2]}}); err == nil {
		t.Error("a range past the loaded points accepted")
	}
	if err := msmbn254.MultiExpG1LoadedBatch([]msmbn254.BatchG1{{Points: onCPU}}); err == nil {
		t.Error("an item without a result accepted")
	}
}

// tightRuntime is a runtime that reports mem bytes of device memory and,
// where failAt > 0, fails every allocation of at least failAt bytes as a
// device out of memory does (gpu.ErrOutOfMemory).
type tightRuntime struct {
	gpu.Runtime
	mem    uint64
	failAt int
}

func (r *tightRuntime) Memory() uint64 { return r.mem }

func (r *tightRuntime) Alloc(size int) (gpu.Buffer, error) {
	if r.failAt > 0 && size >= r.failAt {
		return nil, fmt.Errorf("tight runtime: alloc of %d bytes: %w", size, gpu.ErrOutOfMemory)
	}
	return r.Runtime.Alloc(size)
}

// TestResidentShare checks what a device keeps of loaded points: while
// its resident data stay within half of its memory, and where it has room.
// Points beyond that are declined (ErrUnsupported, nothing held), the
// front end keeps them in host memory, and MSMs over them still run on
// the device, right; freed points make room again. Where the window
// multiples find no room, the points alone are kept.
func TestResidentShare(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		const n = 1000
		points := inputs.BN254G1(rng, n)
		scalars := inputs.Elements[fr.Element](rng, n)
		size := uint64(len(rawbytes.Of(points)))
		var want bn254.G1Jac
		if _, err := want.MultiExp(points, scalars, ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
		check := func(what string, dev *gpu.Device, l *msmbn254.PointsG1) {
			t.Helper()
			var got bn254.G1Jac
			var rep zkaccel.Report
			if _, err := msmbn254.MultiExpG1Loaded(&got, l, 0, scalars, msm.WithDevice(dev), msm.WithReport(&rep)); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if !got.Equal(&want) {
				t.Errorf("%s: wrong result", what)
			}
			if rep.Ran != zkaccel.Device(dev) || rep.Fallback {
				t.Errorf("%s: ran on %v (fallback %v)", what, rep.Ran, rep.Fallback)
			}
		}

		// Beside another set of points, room for one set of these in half
		// of the memory, not for two.
		rt := &tightRuntime{Runtime: d.Runtime(), mem: 4 << 20}
		small := gpu.NewDevice(rt)
		defer small.ReleaseCache()
		t.Setenv(gpu.EnvMSMPrecompute, "0")
		other := make([]bn254.G1Affine, (rt.mem/2-size*3/2)/uint64(len(rawbytes.Of(points[:1])))) // points at infinity
		filler, err := small.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(other), len(other))
		if err != nil {
			t.Fatal(err)
		}
		before := small.ResidentBytes()
		first, err := msmbn254.LoadG1(points, msm.WithDevice(small))
		if err != nil {
			t.Fatal(err)
		}
		if first.Resident() != zkaccel.Device(small) {
			t.Fatalf("the first points resident on %v, want %v", first.Resident(), small)
		}
		held := small.ResidentBytes()
		if held != before+size || held > rt.mem/2 {
			t.Fatalf("%d bytes resident for %d bytes of points beside %d on a device of %d", held, size, before, rt.mem)
		}
		second, err := msmbn254.LoadG1(points, msm.WithDevice(small))
		if err != nil {
			t.Fatalf("points past half of the memory: %v, want them kept on the host", err)
		}
		if second.Resident() != nil || small.ResidentBytes() != held {
			t.Fatalf("points past half of the memory resident on %v (%d bytes resident, want %d)", second.Resident(), small.ResidentBytes(), held)
		}
		if _, err := small.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(points), n); !errors.Is(err, zkaccel.ErrUnsupported) || !strings.Contains(err.Error(), "half of the device's memory") {
			t.Errorf("LoadPoints past half of the memory: %v", err)
		}
		check("resident points", small, first)
		check("points kept on the host", small, second)
		first.Free()
		third, err := msmbn254.LoadG1(points, msm.WithDevice(small))
		if err != nil || third.Resident() != zkaccel.Device(small) {
			t.Fatalf("after Free: resident on %v, %v", third.Resident(), err)
		}
		third.Free()
		filler.Free()
		if small.ResidentBytes() != 0 {
			t.Errorf("%d bytes resident after Free", small.ResidentBytes())
		}

		// No room at all: the points stay on the host.
		rt = &tightRuntime{Runtime: d.Runtime(), mem: 1 << 40, failAt: int(size)}
		full := gpu.NewDevice(rt)
		defer full.ReleaseCache()
		if _, err := full.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(points), n); !errors.Is(err, zkaccel.ErrUnsupported) || !errors.Is(err, gpu.ErrOutOfMemory) {
			t.Errorf("LoadPoints without room: %v", err)
		}
		host, err := msmbn254.LoadG1(points, msm.WithDevice(full))
		if err != nil || host.Resident() != nil {
			t.Fatalf("without room: resident on %v, %v", host.Resident(), err)
		}
		if full.ResidentBytes() != 0 {
			t.Errorf("without room: %d bytes resident", full.ResidentBytes())
		}
		rt.failAt = 0
		check("points kept on the host of a full device", full, host)

		// Room for the points, not for their window multiples.
		t.Setenv(gpu.EnvMSMPrecompute, "1")
		rt.failAt = int(2 * size)
		pre, err := msmbn254.LoadG1(points, msm.WithDevice(full))
		if err != nil || pre.Resident() != zkaccel.Device(full) {
			t.Fatalf("without room for the window multiples: resident on %v, %v", pre.Resident(), err)
		}
		if full.ResidentBytes() != size {
			t.Errorf("without room for the window multiples: %d bytes resident, want the points' %d", full.ResidentBytes(), size)
		}
		rt.failAt = 0
		check("points without their window multiples", full, pre)
		pre.Free()
	})
}

// TestResidentAfterReset: resident points (with and without window
// multiples) and resident PLONK polynomials outlive a device reset. On a
// faulty twin whose armed call frees every live buffer, as a reset does,
// and fails with an error wrapping gpu.ErrDeviceReset, an MSM over the
// points, and a ratio over σ's values, fail with that error, and the next
// ones load what the reset lost again from the host data and give the
// right results; the device's resident bytes stay those of one load, and
// freeing leaves nothing.
func TestResidentAfterReset(t *testing.T) {
	forEachGPU(t, func(t *testing.T, dev *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		f := devtest.NewFaultyAsGPU(dev)
		defer f.ReleaseCache()
		d := f.Device
		f.Inject(func() error {
			f.FreeLive()
			return fmt.Errorf("kernel fault: %w", gpu.ErrDeviceReset)
		})
		// reset makes run's call k fail as a reset (k ≥ 1 after the call's
		// first allocation, so that something is lost).
		reset := func(k int, run func() error) {
			t.Helper()
			f.Arm(k)
			err := run()
			f.Arm(0)
			if !errors.Is(err, gpu.ErrDeviceReset) {
				t.Fatalf("the call with a reset returned %v, want an error wrapping ErrDeviceReset", err)
			}
		}
		for _, pre := range []string{"0", "1"} {
			t.Run("points/precompute="+pre, func(t *testing.T) {
				t.Setenv(gpu.EnvMSMPrecompute, pre)
				points := inputs.BN254G1(rng, 40)
				scalars := inputs.Elements[fr.Element](rng, 40)
				var want bn254.G1Jac
				if _, err := want.MultiExp(points, scalars, ecc.MultiExpConfig{}); err != nil {
					t.Fatal(err)
				}
				res, err := d.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(points), len(points))
				if err != nil {
					t.Fatal(err)
				}
				held := d.ResidentBytes()
				msm := func() error {
					var got [1]bn254.G1Jac
					err := d.MSM(&zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(points), Scalars: rawbytes.Of(scalars), Result: rawbytes.Of(got[:]), Resident: res})
					if err == nil && !got[0].Equal(&want) {
						err = fmt.Errorf("wrong MSM")
					}
					return err
				}
				for round := range 2 {
					if err := msm(); err != nil {
						t.Fatalf("round %d, before the reset: %v", round, err)
					}
					reset(3, msm)
					for i := range 2 {
						if err := msm(); err != nil {
							t.Fatalf("round %d, MSM %d after the reset: %v", round, i, err)
						}
					}
					if got := d.ResidentBytes(); got != held {
						t.Errorf("round %d: %d bytes resident after the reset, %d before", round, got, held)
					}
				}
				freeAll(t, f, res.Free)
			})
		}
		t.Run("plonk-sigma", func(t *testing.T) {
			skipSwitchedOff(t, gpu.EnvPlonkRatio)
			bn := plonkFields[0]
			li := newLinkedInstance(bn.field, bn.domain, plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			fx, req := sigmaFixed(t, d, li)
			held := d.ResidentBytes()
			want := li.r.want()
			ratio := func() error { return d.PlonkRatio(req) }
			for round := range 2 {
				if err := ratio(); err != nil {
					t.Fatalf("round %d, before the reset: %v", round, err)
				}
				reset(3, ratio)
				rawbytes.Poison(req.Result)
				if err := ratio(); err != nil {
					t.Fatalf("round %d, after the reset: %v", round, err)
				}
				li.r.checkValues(t, fmt.Sprintf("round %d: z after the reset", round), req.Result, want)
				if got := d.ResidentBytes(); got != held {
					t.Errorf("round %d: %d bytes resident after the reset, %d before", round, got, held)
				}
			}
			freeAll(t, f, fx.Free)
		})
	})
}

// freeAll calls free, then checks that f, its caches dropped, holds no
// buffer and no resident byte.
func freeAll(t *testing.T, f *devtest.Faulty, free func()) {
	t.Helper()
	free()
	f.ReleaseCache()
	if n := f.Live(); n != 0 || f.ResidentBytes() != 0 {
		t.Errorf("after Free: %d buffers live, %d bytes resident", n, f.ResidentBytes())
	}
}
