package gpu_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel/gpu"
)

// TestPrograms checks the program list: every op's program is there, and
// every program compiles on every GPU runtime present (the CUDA backend
// compiles the same list with NVRTC).
func TestPrograms(t *testing.T) {
	keys := gpu.Programs()
	want := []string{"keccak", "poseidon/circom", "poseidon/hermez", "selfcheck/mul"}
	for _, c := range []string{"bn254", "bls12-381", "bls12-377"} {
		want = append(want, "msm/"+c+"/g1", "msm/"+c+"/g2", "msmpre/"+c+"/g1", "msmpre/"+c+"/g2", "quotient/"+c)
	}
	for _, f := range []string{"bn254", "bls12-381", "bls12-377", "goldilocks", "babybear", "koalabear"} {
		want = append(want, "ntt/"+f)
	}
	for _, f := range []string{"bn254", "goldilocks", "babybear", "koalabear"} {
		want = append(want, "poseidon2/"+f)
	}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("Programs() = %v\nwant %v", keys, want)
	}
	if _, err := gpu.ProgramSource("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("ProgramSource(nope): %v, want an error naming it", err)
	}
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		for _, k := range keys {
			src, err := gpu.ProgramSource(k)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(src, "KERNEL") {
				t.Fatalf("%s: no kernel in its source", k)
			}
			start := time.Now()
			if _, err := d.Runtime().Compile(src); err != nil {
				t.Errorf("%s: %v", k, err)
			}
			t.Logf("%s: %d bytes of source, compiled (or loaded) in %v", k, len(src), time.Since(start).Round(time.Millisecond))
		}
	})
}

// TestSourceLiterals: no device source has a long long literal (suffix ll,
// ull and their capitals). In OpenCL C, long long is a reserved 128-bit
// type: clang compiles such a literal as a 128-bit integer (on POCL, into
// 128-bit arithmetic), and other OpenCL compilers may refuse it. 64-bit
// literals take the suffix UL, which OpenCL reads as ulong and C++ as
// unsigned long, or unsigned long long where long has 32 bits.
func TestSourceLiterals(t *testing.T) {
	longLong := regexp.MustCompile(`\b(0[xX][0-9a-fA-F]+|[0-9]+)([uU]?(ll|LL)|(ll|LL)[uU])\b`)
	for _, k := range gpu.Programs() {
		src, err := gpu.ProgramSource(k)
		if err != nil {
			t.Fatal(err)
		}
		if m := longLong.FindAllString(src, 3); len(m) > 0 {
			t.Errorf("%s: long long literals %q (use UL)", k, m)
		}
	}
	if !longLong.MatchString("x = 1ull << c;") || !longLong.MatchString("0x8000000000008082ULL,") || longLong.MatchString("0x8000000000008082UL, 1u, small") {
		t.Error("the pattern is wrong")
	}
}

// TestSelectPrograms: keys, and starts of keys up to a '/', name programs
// in Programs' order; a start inside a word names nothing.
func TestSelectPrograms(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		want     string
	}{
		{[]string{"msm/bn254/g1"}, "msm/bn254/g1"},
		{[]string{"msm/bn254"}, "msm/bn254/g1 msm/bn254/g2"},
		{[]string{"ntt/bn254", "keccak", "msm/bn254/"}, "keccak msm/bn254/g1 msm/bn254/g2 ntt/bn254"},
		{[]string{"poseidon2", "poseidon2/bn254"}, "poseidon2/babybear poseidon2/bn254 poseidon2/goldilocks poseidon2/koalabear"},
	} {
		got, err := gpu.SelectPrograms(tc.patterns)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("SelectPrograms(%q) = %q, %v; want %q", tc.patterns, got, err, tc.want)
		}
	}
	msm, err := gpu.SelectPrograms([]string{"msm"})
	if err != nil || len(msm) != 6 {
		t.Errorf("SelectPrograms(msm) = %q, %v; want the six MSM programs, not msmpre's", msm, err)
	}
	for _, bad := range []string{"ms", "msm/bn", "", "ntt/bn254/x"} {
		if got, err := gpu.SelectPrograms([]string{bad}); err == nil || !strings.Contains(err.Error(), "programs: keccak") {
			t.Errorf("SelectPrograms(%q) = %q, %v; want an error listing the programs", bad, got, err)
		}
	}
}
