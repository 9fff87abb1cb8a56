package bench

import (
	"testing"
	"time"
)

// TestCrossovers derives crossovers from a made-up file: a device that
// wins from 2^12 on (with a loss at 2^10 and a win at 2^8 before it), one
// that loses at the largest size, one that fell back, one that failed.
func TestCrossovers(t *testing.T) {
	f := &File{}
	add := func(dev, call, op string, logN int, median time.Duration, fallback bool, errMsg string) {
		r := Result{Op: op, Target: "bn254", Variant: "v", LogN: logN, N: 1 << logN, Device: dev, Call: call,
			Median: median, Times: []time.Duration{median}, Fallback: fallback, Error: errMsg}
		f.Results = append(f.Results, r)
	}
	cpu := map[int]time.Duration{8: 100, 10: 100, 12: 100, 14: 100}
	for _, op := range []string{"msm", "ntt", "keccak", "poseidon2"} {
		for k, d := range cpu {
			add("cpu", op+" cpu", op, k, d, false, "")
		}
	}
	for k, d := range map[int]time.Duration{8: 50, 10: 150, 12: 90, 14: 10} {
		add("cuda:0", "msm bn254 g1", "msm", k, d, false, "")
	}
	for k, d := range map[int]time.Duration{8: 50, 10: 50, 12: 50, 14: 200} {
		add("cuda:0", "ntt bn254 fft", "ntt", k, d, false, "")
	}
	for k := range cpu {
		add("cuda:0", "keccak256", "keccak", k, 10, k == 14, "")
	}
	for k := range cpu {
		msg := ""
		if k == 12 {
			msg = "boom"
		}
		add("cuda:0", "poseidon2 bn254", "poseidon2", k, 10, false, msg)
	}
	got := map[string]Crossover{}
	for _, c := range f.Crossovers() {
		if c.Device != "cuda:0" {
			t.Errorf("a crossover for %s", c.Device)
		}
		got[c.Call] = c
	}
	for call, want := range map[string]struct {
		found bool
		logN  int
	}{
		"msm bn254 g1":          {true, 12},
		"ntt bn254 fft":         {false, 0},
		"ntt bn254 fft-inverse": {false, 0},
		"keccak256":             {false, 0}, // fell back at the largest size
		"poseidon2 bn254":       {true, 14}, // failed at 2^12
	} {
		c, ok := got[call]
		if !ok || c.Found != want.found || c.Found && c.LogN != want.logN {
			t.Errorf("%s: %+v; want found %v at 2^%d", call, c, want.found, want.logN)
		}
	}
	if c := got["msm bn254 g1"]; len(c.Sizes) != 4 || c.Sizes[0] != 8 || c.SpeedUps[3] != 10 {
		t.Errorf("msm sizes %v speed-ups %v", c.Sizes, c.SpeedUps)
	}
	if len(got) != 5 {
		t.Errorf("%d crossovers: %v", len(got), got)
	}
}
