package gpu_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

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
				res.Free()
				f.ReleaseCache()
				if n := f.Live(); n != 0 || d.ResidentBytes() != 0 {
					t.Errorf("after Free: %d buffers live, %d bytes resident", n, d.ResidentBytes())
				}
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
			fx.Free()
			f.ReleaseCache()
			if n := f.Live(); n != 0 || d.ResidentBytes() != 0 {
				t.Errorf("after Free: %d buffers live, %d bytes resident", n, d.ResidentBytes())
			}
		})
	})
}
