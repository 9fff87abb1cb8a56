package fakedev

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/field/koalabear"
	fftkb "github.com/consensys/gnark-crypto/field/koalabear/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

func TestDevices(t *testing.T) {
	sentinel := errors.New("sentinel")
	failing := Failing(sentinel)
	custom := New("custom", nil, nil)
	seen := map[string]bool{}
	for _, d := range []zkaccel.Device{Bare, Unsupported, Loopback, failing, custom} {
		if d.Kind() != Kind || d.String() != fmt.Sprintf("fake:%d", d.Ordinal()) || d.Name() == "" {
			t.Errorf("device %v: kind %q, ordinal %d, name %q", d, d.Kind(), d.Ordinal(), d.Name())
		}
		if seen[d.String()] {
			t.Errorf("two fake devices are %v", d)
		}
		seen[d.String()] = true
	}
	if _, ok := Bare.(zkaccel.MSMDevice); ok {
		t.Error("Bare implements MSMDevice")
	}
	if _, ok := Bare.(zkaccel.NTTDevice); ok {
		t.Error("Bare implements NTTDevice")
	}
	msmReq := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 1}
	nttReq := &zkaccel.NTTRequest{Field: zkaccel.FieldBN254, N: 1, Inverse: true}
	for _, d := range []zkaccel.Device{Unsupported, custom} {
		if err := d.(zkaccel.MSMDevice).MSM(msmReq); !errors.Is(err, zkaccel.ErrUnsupported) || !strings.Contains(err.Error(), "msm bn254 g1") {
			t.Errorf("%v: MSM error %v", d, err)
		}
		if err := d.(zkaccel.NTTDevice).NTT(nttReq); !errors.Is(err, zkaccel.ErrUnsupported) || !strings.Contains(err.Error(), "ntt bn254 fft-inverse") {
			t.Errorf("%v: NTT error %v", d, err)
		}
	}
	if err := failing.(zkaccel.MSMDevice).MSM(msmReq); !errors.Is(err, sentinel) || errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("Failing: MSM error %v", err)
	}
	if err := failing.(zkaccel.NTTDevice).NTT(nttReq); !errors.Is(err, sentinel) || errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("Failing: NTT error %v", err)
	}
	if err := Loopback.(zkaccel.MSMDevice).MSM(nil); err == nil {
		t.Error("MSM(nil) succeeded")
	}
}

// msmRequest returns a well-formed BN254 G1 request of n points and the
// answer gnark-crypto gives.
func msmRequest(t *testing.T, n int) (*zkaccel.MSMRequest, bn254.G1Jac) {
	rng := inputs.NewRand(1)
	points, scalars := inputs.BN254G1(rng, n), inputs.Elements[fr.Element](rng, n)
	var want bn254.G1Jac
	if _, err := want.MultiExp(points, scalars, ecc.MultiExpConfig{}); err != nil {
		t.Fatal(err)
	}
	res := make([]bn254.G1Jac, 1)
	return &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n,
		Points: rawbytes.Of(points), Scalars: rawbytes.Of(scalars), Result: rawbytes.Of(res)}, want
}

func TestLoopbackMSM(t *testing.T) {
	req, want := msmRequest(t, 10)
	if err := LoopbackMSM(req); err != nil {
		t.Fatal(err)
	}
	got, err := decode[bn254.G1Jac]("result", req.Result, 1)
	if err != nil || !got[0].Equal(&want) {
		t.Fatalf("got %v (%v), want %s", got, err, want.String())
	}

	for name, c := range map[string]struct {
		mutate      func(r *zkaccel.MSMRequest)
		unsupported bool
		word        string
	}{
		"unknown curve": {func(r *zkaccel.MSMRequest) { r.Curve = "secp256k1" }, true, "unknown curve"},
		"unknown group": {func(r *zkaccel.MSMRequest) { r.Group = 3 }, true, "unknown curve or group"},
		"zero points":   {func(r *zkaccel.MSMRequest) { r.N = 0 }, false, "N = 0"},
		"short points":  {func(r *zkaccel.MSMRequest) { r.Points = r.Points[:len(r.Points)-1] }, false, "points"},
		"long scalars":  {func(r *zkaccel.MSMRequest) { r.Scalars = append(r.Scalars, 0) }, false, "scalars"},
		"N too large":   {func(r *zkaccel.MSMRequest) { r.N++ }, false, "points"},
		"short result":  {func(r *zkaccel.MSMRequest) { r.Result = r.Result[:32] }, false, "result"},
		"nbtasks":       {func(r *zkaccel.MSMRequest) { r.NbTasks = 2000 }, false, "NbTasks"},
		"off the curve": {func(r *zkaccel.MSMRequest) { r.Points[72] ^= 1 }, false, "point 1 is not on the curve"},
		"G1 points as G2": {func(r *zkaccel.MSMRequest) {
			r.Group, r.N, r.Scalars = zkaccel.G2, r.N/2, r.Scalars[:len(r.Scalars)/2]
		}, false, "point 0 is not on the curve"},
	} {
		req, _ := msmRequest(t, 10)
		c.mutate(req)
		err := LoopbackMSM(req)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) != c.unsupported || !strings.Contains(err.Error(), c.word) {
			t.Errorf("%s: error %v (want ErrUnsupported: %v, mentioning %q)", name, err, c.unsupported, c.word)
		}
	}
}

// nttRequest returns a well-formed KoalaBear request on a shifted domain of
// size 8, and the input.
func nttRequest() (*zkaccel.NTTRequest, *fftkb.Domain, []koalabear.Element) {
	var shift koalabear.Element
	shift.SetUint64(7)
	d := fftkb.NewDomain(8, fftkb.WithShift(shift))
	a := inputs.Elements[koalabear.Element](inputs.NewRand(2), 8)
	one := func(e koalabear.Element) []byte { return rawbytes.Of([]koalabear.Element{e}) }
	return &zkaccel.NTTRequest{Field: zkaccel.FieldKoalaBear, ElemSize: 4, N: 8, Data: rawbytes.Of(append([]koalabear.Element(nil), a...)),
		Decimation: zkaccel.DIF, Coset: true, Generator: one(d.Generator), GeneratorInv: one(d.GeneratorInv),
		CardinalityInv: one(d.CardinalityInv), CosetShift: one(d.FrMultiplicativeGen), CosetShiftInv: one(d.FrMultiplicativeGenInv)}, d, a
}

func TestLoopbackNTT(t *testing.T) {
	req, d, a := nttRequest()
	if err := LoopbackNTT(req); err != nil {
		t.Fatal(err)
	}
	d.FFT(a, fftkb.DIF, fftkb.OnCoset())
	if got := rawbytes.Of(a); string(got) != string(req.Data) {
		t.Fatal("loopback FFT differs from gnark-crypto's")
	}

	for name, c := range map[string]struct {
		mutate      func(r *zkaccel.NTTRequest)
		unsupported bool
		word        string
	}{
		"unknown field":      {func(r *zkaccel.NTTRequest) { r.Field = "mersenne31" }, true, "unknown field"},
		"size beyond 2^24":   {func(r *zkaccel.NTTRequest) { r.N = 1 << 25 }, true, "no domain of size"},
		"not a power of two": {func(r *zkaccel.NTTRequest) { r.N = 6 }, false, "power of two"},
		"element size":       {func(r *zkaccel.NTTRequest) { r.ElemSize = 8 }, false, "ElemSize"},
		"short data":         {func(r *zkaccel.NTTRequest) { r.Data = r.Data[:28] }, false, "data"},
		"short constant":     {func(r *zkaccel.NTTRequest) { r.CardinalityInv = r.CardinalityInv[:2] }, false, "CardinalityInv"},
		"wrong generator":    {func(r *zkaccel.NTTRequest) { r.Generator = r.GeneratorInv }, false, "Generator ="},
		"wrong inverse":      {func(r *zkaccel.NTTRequest) { r.GeneratorInv = r.Generator }, false, "GeneratorInv"},
		"wrong 1/n":          {func(r *zkaccel.NTTRequest) { r.CardinalityInv = r.Generator }, false, "CardinalityInv"},
		"wrong shift":        {func(r *zkaccel.NTTRequest) { r.CosetShift = r.Generator }, false, "CosetShiftInv"},
		"decimation":         {func(r *zkaccel.NTTRequest) { r.Decimation = 9 }, false, "decimation"},
	} {
		req, _, _ := nttRequest()
		c.mutate(req)
		err := LoopbackNTT(req)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) != c.unsupported || !strings.Contains(err.Error(), c.word) {
			t.Errorf("%s: error %v (want ErrUnsupported: %v, mentioning %q)", name, err, c.unsupported, c.word)
		}
	}
}

// TestRequestLayout checks the byte layout that zkaccel.MSMRequest and
// zkaccel.NTTRequest document, and that the loopback decodes: Montgomery
// limbs little-endian, affine X then Y, G2 coordinates A0 then A1, Jacobian
// X, Y, Z, infinity as zero bytes.
func TestRequestLayout(t *testing.T) {
	rng := inputs.NewRand(3)
	limbs := func(b []byte, at int, want []uint64) {
		t.Helper()
		for i, w := range want {
			if got := binary.LittleEndian.Uint64(b[at+8*i:]); got != w {
				t.Fatalf("limb %d at byte %d: %#x, want %#x", i, at, got, w)
			}
		}
	}
	g1 := inputs.BN254G1(rng, 1)
	b := rawbytes.Of(g1)
	if len(b) != 64 {
		t.Fatalf("BN254 G1 affine: %d bytes", len(b))
	}
	limbs(b, 0, g1[0].X[:])
	limbs(b, 32, g1[0].Y[:])

	g2 := inputs.BN254G2(rng, 1)
	b = rawbytes.Of(g2)
	if len(b) != 128 {
		t.Fatalf("BN254 G2 affine: %d bytes", len(b))
	}
	limbs(b, 0, g2[0].X.A0[:])
	limbs(b, 32, g2[0].X.A1[:])
	limbs(b, 64, g2[0].Y.A0[:])
	limbs(b, 96, g2[0].Y.A1[:])

	var jac bn254.G1Jac
	jac.FromAffine(&g1[0])
	jac.Double(&jac)
	b = rawbytes.Of([]bn254.G1Jac{jac})
	if len(b) != 96 {
		t.Fatalf("BN254 G1 Jacobian: %d bytes", len(b))
	}
	limbs(b, 0, jac.X[:])
	limbs(b, 32, jac.Y[:])
	limbs(b, 64, jac.Z[:])

	inf := make([]bn254.G1Affine, 1)
	if !inf[0].IsInfinity() || strings.Trim(string(rawbytes.Of(inf)), "\x00") != "" {
		t.Fatal("the zero G1Affine is not the point at infinity")
	}

	sc := inputs.Elements[fr.Element](rng, 1)
	limbs(rawbytes.Of(sc), 0, sc[0][:])
	kb := inputs.Elements[koalabear.Element](rng, 1)
	if b := rawbytes.Of(kb); len(b) != 4 || binary.LittleEndian.Uint32(b) != kb[0][0] {
		t.Fatalf("KoalaBear element: % x for %#x", b, kb[0][0])
	}
}
