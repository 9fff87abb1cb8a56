package fpga_test

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	"github.com/consensys/gnark-crypto/field/goldilocks/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/fpga"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/ntt"
	nttgl "github.com/zkaccel/zkaccel/ntt/goldilocks"
)

// checkNTT runs Goldilocks NTTs on d — every variant, on the default domain
// and on one with another shift, sizes 2^0 … 2^11 — against gnark-crypto
// on the CPU, each call on the device; malformed requests are errors that
// leave the data alone; the cycle counter moves by at least the stages'
// butterflies.
func checkNTT(t *testing.T, d *fpga.Device) {
	t.Helper()
	rng := inputs.NewRand(devtest.Seed(t))
	var shift fgl.Element
	shift.SetUint64(12345)
	for logN := 0; logN <= 11; logN++ {
		n := 1 << logN
		for _, dom := range []*fft.Domain{fft.NewDomain(uint64(n)), fft.NewDomain(uint64(n), fft.WithShift(shift))} {
			for v := range 8 {
				inverse, dit, coset := v&1 != 0, v&2 != 0, v&4 != 0
				dec := fft.DIF
				if dit {
					dec = fft.DIT
				}
				a := inputs.Elements[fgl.Element](rng, n)
				if n >= 2 {
					a[0].SetZero()
					a[1].SetOne()
					a[1].Neg(&a[1])
				}
				want := slices.Clone(a)
				var gopts []fft.Option
				opts := []ntt.Option{ntt.WithDevice(d)}
				if coset {
					gopts = append(gopts, fft.OnCoset())
					opts = append(opts, ntt.OnCoset())
				}
				var rep zkaccel.Report
				opts = append(opts, ntt.WithReport(&rep))
				front := nttgl.FFT
				if inverse {
					dom.FFTInverse(want, dec, gopts...)
					front = nttgl.FFTInverse
				} else {
					dom.FFT(want, dec, gopts...)
				}
				d.ResetCycles()
				if err := front(dom, a, dec, opts...); err != nil {
					t.Fatalf("n=2^%d variant %d: %v", logN, v, err)
				}
				if rep.Fallback || rep.Ran != zkaccel.Device(d) {
					t.Fatalf("n=2^%d variant %d: %s; want it on %v", logN, v, rep.String(), d)
				}
				for i := range a {
					if a[i] != want[i] {
						t.Fatalf("n=2^%d inverse %v dit %v coset %v shift %s: element %d = %s, gnark-crypto %s",
							logN, inverse, dit, coset, &dom.FrMultiplicativeGen, i, &a[i], &want[i])
					}
				}
				if min := uint64(logN * n / 2 / 4); d.Cycles() < min {
					t.Errorf("n=2^%d: %d cycles, want at least %d", logN, d.Cycles(), min)
				}
			}
		}
	}

	// Malformed requests: errors, not fallbacks, with the data untouched.
	dom := fft.NewDomain(8)
	good := func() *zkaccel.NTTRequest {
		raw := func(e fgl.Element) []byte { return slices.Clone(rawbytes.Of([]fgl.Element{e})) }
		return &zkaccel.NTTRequest{Field: zkaccel.FieldGoldilocks, ElemSize: 8, N: 8,
			Data:      slices.Clone(rawbytes.Of(inputs.Elements[fgl.Element](rng, 8))),
			Generator: raw(dom.Generator), GeneratorInv: raw(dom.GeneratorInv), CardinalityInv: raw(dom.CardinalityInv),
			CosetShift: raw(dom.FrMultiplicativeGen), CosetShiftInv: raw(dom.FrMultiplicativeGenInv)}
	}
	if err := d.NTT(good()); err != nil {
		t.Fatalf("a well-formed request: %v", err)
	}
	for _, c := range []struct {
		name   string
		mutate func(r *zkaccel.NTTRequest)
		want   string
	}{
		{"unreduced", func(r *zkaccel.NTTRequest) { binary.LittleEndian.PutUint64(r.Data[8*3:], ^uint64(0)) }, "Data: element 3 is not reduced"},
		{"short", func(r *zkaccel.NTTRequest) { r.Data = r.Data[:8*7] }, "Data: 56 bytes"},
		{"n", func(r *zkaccel.NTTRequest) { r.N = 6 }, "N = 6 is not a power of two"},
		{"elemsize", func(r *zkaccel.NTTRequest) { r.ElemSize = 32 }, "ElemSize = 32"},
		{"decimation", func(r *zkaccel.NTTRequest) { r.Decimation = 7 }, "unknown decimation 7"},
		{"generator", func(r *zkaccel.NTTRequest) { r.Generator = r.Generator[:4] }, "the stage root: 4 bytes"},
	} {
		r := good()
		c.mutate(r)
		before := slices.Clone(r.Data)
		err := d.NTT(r)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error with %q", c.name, err, c.want)
		}
		if !slices.Equal(before, r.Data) {
			t.Errorf("%s: the data changed", c.name)
		}
	}
	if err := d.NTT(nil); err == nil {
		t.Error("a nil request: no error")
	}
	r := good()
	r.Field = zkaccel.FieldBabyBear
	if err := d.NTT(r); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("BabyBear: %v; want ErrUnsupported", err)
	}
}
