package opencl_test

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/opencl"
)

// uniqueSource returns vecAdd made unique to this test run, so that
// neither the in-memory nor the on-disk cache holds it yet.
func uniqueSource(t *testing.T, rng *rand.Rand) string {
	return vecAdd + fmt.Sprintf("\n// %s %x\n", t.Name(), rng.Uint64())
}

// compileRun compiles src and runs its vec_add on a few elements.
func compileRun(t *testing.T, rt gpu.Runtime, rng *rand.Rand, src string) {
	t.Helper()
	p, err := rt.Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkVecAdd(rt, p, rng, 37, 0); err != nil {
		t.Fatal(err)
	}
}

func TestCache(t *testing.T) {
	rt := runtime0(t)
	dir := t.TempDir()
	t.Setenv(opencl.EnvCacheDir, dir)
	t.Setenv(opencl.EnvCache, "")
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	src := uniqueSource(t, rng)
	entry := opencl.CacheEntry(rt, src)
	if filepath.Dir(entry) != filepath.Join(dir, "opencl") {
		t.Fatalf("cache entry %s is not in %s/opencl", entry, dir)
	}

	step := func(name string, want opencl.Stats) {
		t.Helper()
		before := opencl.GetStats(rt)
		opencl.ForgetPrograms(rt)
		compileRun(t, rt, rng, src)
		after := opencl.GetStats(rt)
		got := opencl.Stats{Built: after.Built - before.Built, Loaded: after.Loaded - before.Loaded,
			Rejected: after.Rejected - before.Rejected, Written: after.Written - before.Written}
		if got != want {
			t.Fatalf("%s: built %d loaded %d rejected %d written %d; want built %d loaded %d rejected %d written %d",
				name, got.Built, got.Loaded, got.Rejected, got.Written, want.Built, want.Loaded, want.Rejected, want.Written)
		}
		if _, err := os.Stat(entry); err != nil {
			t.Fatalf("%s: no cache entry after compiling: %v", name, err)
		}
	}
	step("first compile", opencl.Stats{Built: 1, Written: 1})
	step("from the disk cache", opencl.Stats{Loaded: 1})

	// The in-memory cache answers without touching the disk.
	before := opencl.GetStats(rt)
	if _, err := rt.Compile(src); err != nil {
		t.Fatal(err)
	}
	if after := opencl.GetStats(rt); after != before {
		t.Errorf("a second Compile of the same source changed the counters: %+v -> %+v", before, after)
	}

	corrupt := map[string]func(b []byte) []byte{
		"flipped binary byte": func(b []byte) []byte { b[len(b)-len(b)/3] ^= 0x40; return b },
		"flipped magic":       func(b []byte) []byte { b[0] ^= 1; return b },
		"truncated":           func(b []byte) []byte { return b[:len(b)/2] },
		"header only":         func(b []byte) []byte { return b[:20] },
		"empty":               func(b []byte) []byte { return nil },
		"appended byte":       func(b []byte) []byte { return append(b, 0) },
	}
	for _, name := range []string{"flipped binary byte", "flipped magic", "truncated", "header only", "empty", "appended byte"} {
		b, err := os.ReadFile(entry)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(entry, corrupt[name](b), 0o644); err != nil {
			t.Fatal(err)
		}
		step(name, opencl.Stats{Built: 1, Rejected: 1, Written: 1})
		step(name+", rewritten", opencl.Stats{Loaded: 1})
	}

	// A well-formed entry whose binary the driver refuses.
	if err := opencl.WriteCacheEntry(entry, []byte("this is not a device binary, but its checksum is right")); err != nil {
		t.Fatal(err)
	}
	step("binary refused by the driver", opencl.Stats{Built: 1, Rejected: 1, Written: 1})
	step("binary refused, rewritten", opencl.Stats{Loaded: 1})

	// No temporary files are left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left in the cache directory", e.Name())
		}
	}
}

func TestCacheOff(t *testing.T) {
	rt := runtime0(t)
	rng := rand.New(rand.NewSource(devtest.Seed(t)))

	dir := t.TempDir()
	t.Setenv(opencl.EnvCacheDir, dir)
	t.Setenv(opencl.EnvCache, "off")
	before := opencl.GetStats(rt)
	compileRun(t, rt, rng, uniqueSource(t, rng))
	if after := opencl.GetStats(rt); after.Built != before.Built+1 || after.Written != before.Written {
		t.Errorf("with %s=off: %+v -> %+v; want one build, nothing written", opencl.EnvCache, before, after)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("with %s=off the cache directory holds %d files", opencl.EnvCache, len(ents))
	}

	// A directory that cannot be created disables the cache.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(opencl.EnvCacheDir, filepath.Join(file, "sub"))
	t.Setenv(opencl.EnvCache, "")
	if e := opencl.CacheEntry(rt, "x"); e != "" {
		t.Errorf("cache entry %q under a regular file", e)
	}
	compileRun(t, rt, rng, uniqueSource(t, rng))
}
