package bench

import (
	"strings"
	"testing"
	"time"
)

// TestCheckGoals checks each kind of goal against a synthetic file: met,
// missed (and by how much), device-resident bounds without kernel times, a
// fallback, a failure, a speed-up against the CPU row, and goals that no
// file measured.
func TestCheckGoals(t *testing.T) {
	ms := time.Millisecond
	res := func(dev, op, target, variant string, logN int, median, compute time.Duration) Result {
		return Result{Op: op, Target: target, Variant: variant, LogN: logN, N: 1 << logN, Device: dev,
			Times: []time.Duration{median}, Median: median, Min: median, Max: median, Compute: compute}
	}
	f := &File{
		Devices: []DeviceInfo{{Spec: "cpu:0", Kind: "cpu"}, {Spec: "cuda:0", Kind: "cuda", Name: "NVIDIA H100 80GB HBM3"}},
		Results: []Result{
			res("cpu:0", OpMSM, "bn254", "g1", 20, 200*ms, 0),
			res("cuda:0", OpMSM, "bn254", "g1", 20, 6*ms, 4*ms),               // ≤ 8 ms: met, 1.33×
			res("cuda:0", OpMSM, "bn254", "g1", 24, 120*ms, 40*ms),            // ≤ 100 ms: missed by 1.2×
			res("cuda:0", OpNTT, "bn254", "fft-dif", 24, 9*ms, 4*ms),          // kernels ≤ 5 ms: met
			res("cuda:0", OpPoseidon2, "bn254", "t=3", 24, 200*ms, 0),         // 83.9 M/s < 100 M/s
			res("cuda:0", OpKeccak, keccakTarget, "sum256-64B", 26, 60*ms, 0), // no kernel time
			res("cpu:0", OpGroth16, "bn254", "prove", 20, 2*time.Second, 0),
			res("cuda:0", OpGroth16, "bn254", "prove", 20, 150*ms, 0),      // 13.3×: met
			res("cuda:0", OpGroth16, "bn254", "prove-wide", 20, 150*ms, 0), // no CPU row
			res("cuda:0", OpPlonk, "bn254", "prove", 20, 150*ms, 0),
			{Op: OpPlonk, Target: "bn254", Variant: "prove-wide", LogN: 20, Device: "cuda:0", Error: "out of memory"},
		},
	}
	f.Results[9].Fallback = true
	f.Results[2].Transfer = 70 * ms // the 2^24 MSM: copies longer than its kernels
	checks := CheckGoals([]*File{f}, Goals)
	if len(checks) != len(Goals) {
		t.Fatalf("%d checks for %d goals (one measurement each, or none)", len(checks), len(Goals))
	}
	want := map[string]struct {
		found, met bool
		factor     float64
		why        string
	}{
		"MSM G1 BN254 2^20":                                  {true, true, 8.0 / 6, ""},
		"MSM G1 BN254 2^24":                                  {true, false, 100.0 / 120, ""},
		"MSM G1 BLS12-381 2^24":                              {false, false, 0, ""},
		"NTT BN254 2^24, device-resident":                    {true, true, 5.0 / 4, ""},
		"Poseidon2 BN254 t=3, 2^24 permutations":             {true, false, float64(1<<24) / 0.2 / 100e6, ""},
		"Keccak-256 of 64 B, 2^26 messages, device-resident": {true, false, 0, "did not time its kernels"},
		"Groth16 BN254, 2^20 constraints":                    {true, true, 2000.0 / 150 / 10, ""},
		"Groth16 BN254, 2^20 constraints, wide circuit":      {true, false, 0, "no CPU measurement"},
		"PLONK BN254, 2^20 constraints":                      {true, false, 0, "fell back"},
		"PLONK BN254, 2^20 constraints, wide circuit":        {true, false, 0, "out of memory"},
	}
	for _, c := range checks {
		w, ok := want[c.Goal.Name]
		if !ok {
			t.Errorf("unexpected goal %q", c.Goal.Name)
			continue
		}
		switch {
		case c.Found != w.found || c.Met != w.met:
			t.Errorf("%s: found %v met %v, want %v %v", c.Goal.Name, c.Found, c.Met, w.found, w.met)
		case w.why == "" && (c.Factor < w.factor*0.999 || c.Factor > w.factor*1.001):
			t.Errorf("%s: factor %.4f, want %.4f", c.Goal.Name, c.Factor, w.factor)
		case !strings.Contains(c.Why, w.why):
			t.Errorf("%s: why %q, want %q", c.Goal.Name, c.Why, w.why)
		case c.Found && c.Name != "NVIDIA H100 80GB HBM3":
			t.Errorf("%s: device name %q", c.Goal.Name, c.Name)
		}
	}

	var b strings.Builder
	if err := WriteGoals(&b, checks, []string{"h100-box"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, line := range []string{
		"| target | machine, device | bound | measured | met | device time per call |",
		"| MSM G1 BN254 2^20 | h100-box, cuda:0 (NVIDIA H100 80GB HBM3) | ≤ 8 ms | 6 ms | **yes**, 1.33× within | kernels 4 ms of 6 ms |",
		"| MSM G1 BN254 2^24 | h100-box, cuda:0 (NVIDIA H100 80GB HBM3) | ≤ 100 ms | 120 ms | **no**, missed by 1.20× | kernels 40 ms, copies 70 ms of 120 ms |",
		"| MSM G1 BLS12-381 2^24 | - | ≤ 180 ms | not measured | - | - |",
		"| NTT BN254 2^24, device-resident | h100-box, cuda:0 (NVIDIA H100 80GB HBM3) | ≤ 5 ms (kernels) | 4 ms (kernels) | **yes**, 1.25× within | kernels 4 ms of 9 ms |",
		"| Poseidon2 BN254 t=3, 2^24 permutations | h100-box, cuda:0 (NVIDIA H100 80GB HBM3) | ≥ 100 M/s | 83.9 M/s | **no**, missed by 1.19× | - |",
		"| Keccak-256 of 64 B, 2^26 messages, device-resident | h100-box, cuda:0 (NVIDIA H100 80GB HBM3) | ≥ 1.5 G/s (kernels) | - | no: the device did not time its kernels | - |",
		"| Groth16 BN254, 2^20 constraints | h100-box, cuda:0 (NVIDIA H100 80GB HBM3) | ≥ 10× | 13.3× | **yes**, 1.33× within | - |",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("table lacks %q:\n%s", line, out)
		}
	}
}
