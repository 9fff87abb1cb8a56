package fpga_test

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	p2gl "github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/fpga"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
	posgl "github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// checkPoseidon2 runs Goldilocks Poseidon2 on d: both widths with
// gnark-crypto's parameters and with other round keys, against
// gnark-crypto on the CPU; round counts beyond the device's cores fall
// back to the CPU, visibly; malformed requests are errors that leave the
// states alone; the cycle counter moves by at least the schedule's rounds.
func checkPoseidon2(t *testing.T, d *fpga.Device) {
	t.Helper()
	rng := inputs.NewRand(devtest.Seed(t))
	for _, c := range []struct {
		t, rf, rp int
		seed      string
		fallback  bool
	}{
		{8, 6, 17, "", false},
		{12, 6, 17, "", false},
		{12, 6, 17, "fpga", false},
		{8, 8, 22, "", false},
		{12, 3, 5, "odd", false},
		{8, 8, 80, "", true}, // 88 rounds: more than the simulator's cores hold
	} {
		var params *p2gl.Parameters
		var perm *p2gl.Permutation
		if c.seed == "" {
			params, perm = p2gl.NewParameters(c.t, c.rf, c.rp), p2gl.NewPermutation(c.t, c.rf, c.rp)
		} else {
			params, perm = p2gl.NewParametersWithSeed(c.t, c.rf, c.rp, c.seed), p2gl.NewPermutationWithSeed(c.t, c.rf, c.rp, c.seed)
		}
		n := 37
		states := inputs.Elements[fgl.Element](rng, n*c.t)
		for j := range c.t { // an all-(p−1) state and an all-zero one
			states[j].SetOne()
			states[j].Neg(&states[j])
			states[c.t+j].SetZero()
		}
		want := slices.Clone(states)
		for i := 0; i < len(want); i += c.t {
			if err := perm.Permutation(want[i : i+c.t]); err != nil {
				t.Fatal(err)
			}
		}
		d.ResetCycles()
		var rep zkaccel.Report
		if err := posgl.Permute2(params, states, poseidon.WithDevice(d), poseidon.WithReport(&rep)); err != nil {
			t.Fatalf("t=%d rf=%d rp=%d: %v", c.t, c.rf, c.rp, err)
		}
		for i := range states {
			if states[i] != want[i] {
				t.Fatalf("t=%d rf=%d rp=%d seed %q: element %d (state %d) = %s, gnark-crypto %s", c.t, c.rf, c.rp, c.seed, i, i/c.t, &states[i], &want[i])
			}
		}
		if c.fallback {
			if !rep.Fallback || !errors.Is(rep.Reason, zkaccel.ErrUnsupported) {
				t.Errorf("t=%d rf=%d rp=%d: %s; want a CPU fallback", c.t, c.rf, c.rp, rep.String())
			}
			continue
		}
		if rep.Fallback || rep.Ran != zkaccel.Device(d) {
			t.Errorf("t=%d rf=%d rp=%d: %s; want it on %v", c.t, c.rf, c.rp, rep.String(), d)
		}
		if min := uint64(n * (1 + 5*(c.rf+c.rp))); d.Cycles() < min {
			t.Errorf("t=%d rf=%d rp=%d: %d cycles for %d states, want at least %d", c.t, c.rf, c.rp, d.Cycles(), n, min)
		}
	}

	// Malformed requests: errors, not fallbacks, with the states untouched.
	params := p2gl.NewParameters(8, 6, 17)
	good := func() *zkaccel.Poseidon2Request {
		var keys []fgl.Element
		for _, rk := range params.RoundKeys {
			if len(rk) == 8 {
				keys = append(keys, rk...)
			} else {
				keys = append(keys, rk[0])
			}
		}
		st := inputs.Elements[fgl.Element](rng, 8*2)
		return &zkaccel.Poseidon2Request{Field: zkaccel.FieldGoldilocks, Width: 8, NbFullRounds: 6, NbPartialRounds: 17,
			RoundKeys: slices.Clone(rawbytes.Of(keys)), DiagM1: slices.Clone(rawbytes.Of(posgl.Poseidon2DiagM1(8))),
			N: 2, States: slices.Clone(rawbytes.Of(st))}
	}
	if err := d.Poseidon2(good()); err != nil {
		t.Fatalf("a well-formed request: %v", err)
	}
	for _, c := range []struct {
		name   string
		mutate func(r *zkaccel.Poseidon2Request)
		want   string
	}{
		{"unreduced state", func(r *zkaccel.Poseidon2Request) { binary.LittleEndian.PutUint64(r.States[8*5:], ^uint64(0)) }, "States: element 5 is not reduced"},
		{"unreduced key", func(r *zkaccel.Poseidon2Request) { binary.LittleEndian.PutUint64(r.RoundKeys, ^uint64(0)) }, "RoundKeys: element 0 is not reduced"},
		{"short states", func(r *zkaccel.Poseidon2Request) { r.States = r.States[:8*15] }, "States: 120 bytes"},
		{"short diag", func(r *zkaccel.Poseidon2Request) { r.DiagM1 = r.DiagM1[:8] }, "DiagM1: 8 bytes"},
		{"width", func(r *zkaccel.Poseidon2Request) { r.Width = 16 }, "Width = 16"},
		{"n", func(r *zkaccel.Poseidon2Request) { r.N = 0 }, "N = 0"},
	} {
		r := good()
		c.mutate(r)
		before := slices.Clone(r.States)
		err := d.Poseidon2(r)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error with %q", c.name, err, c.want)
		}
		if !slices.Equal(before, r.States) {
			t.Errorf("%s: the states changed", c.name)
		}
	}
	if err := d.Poseidon2(nil); err == nil {
		t.Error("a nil request: no error")
	}
	r := good()
	r.Field = zkaccel.FieldBabyBear
	if err := d.Poseidon2(r); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("BabyBear: %v; want ErrUnsupported", err)
	}
	if err := d.Poseidon(&zkaccel.PoseidonRequest{}); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("Poseidon: %v; want ErrUnsupported", err)
	}
}
