package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bincache"
)

// runCheck runs the NTT at 2^3 on the CPU in check mode and dev, and
// returns the file and the progress output.
func runCheck(t *testing.T, dev zkaccel.Device) (*File, string) {
	t.Helper()
	var progress strings.Builder
	f, err := Run(context.Background(), Config{Ops: []string{OpNTT}, Sizes: []int{3}, Runs: 2, Devices: []zkaccel.Device{dev}, CPU: CPUCheck, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if f.CPU != CPUCheck {
		t.Errorf("File.CPU = %q, want %q", f.CPU, CPUCheck)
	}
	return f, progress.String()
}

// TestRunCPUCheck: with the CPU in check mode a run has no CPU row and no
// speed-up; the first run computes the CPU's answer in one call and caches
// it, a second one takes it from the cache; a device whose answer differs
// fails either way, and a corrupt cache entry is computed again.
func TestRunCPUCheck(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(zkaccel.EnvCacheDir, dir)
	t.Setenv(bincache.EnvCache, "")

	good := &fakeNTT{fn: correctNTT}
	f, progress := runCheck(t, good)
	if len(f.Results) != 1 || f.Results[0].Device != "fake:0" {
		t.Fatalf("results: %+v; want the device's only", f.Results)
	}
	r := &f.Results[0]
	checkSane(t, r, 2)
	if r.Error != "" || r.Fallback {
		t.Errorf("correct device: %+v", r)
	}
	if _, ok := f.SpeedUp(r); ok {
		t.Error("a speed-up without a timed CPU")
	}
	if !strings.Contains(progress, "cpu:0: the reference only (--cpu check): one untimed call") || !strings.Contains(progress, "cached") {
		t.Errorf("first run's progress:\n%s", progress)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "bench", "*", "*.bin"))
	if len(entries) != 1 {
		t.Fatalf("cache entries %v, want one", entries)
	}

	_, progress = runCheck(t, good)
	if !strings.Contains(progress, "from the reference cache") {
		t.Errorf("second run's progress:\n%s", progress)
	}

	// A wrong device fails against the cached answer.
	wrong := &fakeNTT{fn: func(*zkaccel.NTTRequest) error { return nil }}
	f, progress = runCheck(t, wrong)
	if !strings.Contains(progress, "from the reference cache") {
		t.Errorf("wrong device's progress:\n%s", progress)
	}
	if len(f.Results) != 1 || !strings.Contains(f.Results[0].Error, "differs from the cpu's") || !f.Failed() {
		t.Errorf("device that computes nothing, cached reference: %+v; want a mismatch", f.Results)
	}

	// A corrupt entry is computed again (and the wrong device still fails).
	if err := os.WriteFile(entries[0], []byte("ZKBENREF garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, progress = runCheck(t, wrong)
	if !strings.Contains(progress, "one untimed call") {
		t.Errorf("after corrupting the entry:\n%s", progress)
	}
	if !strings.Contains(f.Results[0].Error, "differs from the cpu's") {
		t.Errorf("device that computes nothing, recomputed reference: %+v", f.Results)
	}

	// A run with the CPU timed leaves its answers for check mode.
	t.Setenv(zkaccel.EnvCacheDir, t.TempDir())
	if _, err := Run(context.Background(), Config{Ops: []string{OpNTT}, Sizes: []int{3}, Runs: 1, Devices: []zkaccel.Device{good}}); err != nil {
		t.Fatal(err)
	}
	f, progress = runCheck(t, wrong)
	if !strings.Contains(progress, "from the reference cache") || !strings.Contains(f.Results[0].Error, "differs from the cpu's") {
		t.Errorf("after a timed run: %+v\n%s", f.Results, progress)
	}

	// Without a cache the CPU computes the answer each time.
	t.Setenv(bincache.EnvCache, "off")
	for range 2 {
		f, progress = runCheck(t, wrong)
		if !strings.Contains(progress, "one untimed call") || strings.Contains(progress, "cached") {
			t.Errorf("cache off:\n%s", progress)
		}
		if !strings.Contains(f.Results[0].Error, "differs from the cpu's") {
			t.Errorf("cache off, device that computes nothing: %+v", f.Results)
		}
	}
}

// TestReferenceKey: the cache entry depends on the workload, the size and
// the seed.
func TestReferenceKey(t *testing.T) {
	t.Setenv(zkaccel.EnvCacheDir, t.TempDir())
	t.Setenv(bincache.EnvCache, "")
	p, err := (&Config{Ops: []string{OpMSM, OpNTT}}).plan()
	if err != nil {
		t.Fatal(err)
	}
	msm, ntt := p.workloads[0], p.workloads[1]
	base := referencePath(msm, 10, 1)
	if base == "" {
		t.Fatal("no reference cache path")
	}
	for _, other := range []string{referencePath(ntt, 10, 1), referencePath(msm, 11, 1), referencePath(msm, 10, 2)} {
		if other == base {
			t.Errorf("two references share the entry %s", base)
		}
	}
	if again := referencePath(msm, 10, 1); again != base {
		t.Errorf("the same reference has two entries: %s and %s", base, again)
	}
}

// TestGoalsCPUCheck: a speed-up goal skips the rows of a file whose CPU
// was not timed when another file measured it, and otherwise says why it
// cannot be checked.
func TestGoalsCPUCheck(t *testing.T) {
	row := func(dev string, ns int64) Result {
		return Result{Op: OpGroth16, Target: "bn254", Variant: "prove", LogN: 20, N: 1 << 20, Device: dev,
			Times: []time.Duration{time.Duration(ns)}, Median: time.Duration(ns), Min: time.Duration(ns), Max: time.Duration(ns)}
	}
	timed := &File{Results: []Result{row("cpu:0", 20e9), row("cuda:0", 1e9)}}
	check := &File{CPU: CPUCheck, Results: []Result{row("cuda:0", 1e9)}}
	goal := []Goal{{Name: "g", Op: OpGroth16, Target: "bn254", Variant: "prove", LogN: 20, MinSpeedUp: 10}}

	got := CheckGoals([]*File{timed, check}, goal)
	if len(got) != 1 || !got[0].Met || got[0].File != 0 {
		t.Errorf("timed and check files: %+v; want the timed file's row only, met", got)
	}
	got = CheckGoals([]*File{check}, goal)
	if len(got) != 1 || !got[0].Found || got[0].Met || !strings.Contains(got[0].Why, "--cpu check") {
		t.Errorf("check file only: %+v; want found, not met, the reason given", got)
	}
}

// TestReferencePrune: the first use of the reference cache removes the
// folders of other executables not written for referenceMaxAge, and keeps
// the recent ones and its own.
func TestReferencePrune(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(zkaccel.EnvCacheDir, dir)
	t.Setenv(bincache.EnvCache, "")
	root := filepath.Join(dir, "bench")
	old, recent := filepath.Join(root, "0123456789abcdef"), filepath.Join(root, "fedcba9876543210")
	for _, d := range []string{old, recent} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "x.bin"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-referenceMaxAge - time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	pruneOnce = sync.Once{}
	t.Cleanup(func() { pruneOnce = sync.Once{} })
	own := referenceDir()
	if own == "" || filepath.Dir(own) != root {
		t.Fatalf("referenceDir() = %q, want a folder of %s", own, root)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the old folder is still there (%v)", err)
	}
	for _, d := range []string{recent, own} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed: %v", d, err)
		}
	}
}
