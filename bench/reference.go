package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bincache"
)

// The CPU's roles in a run ([Config].CPU).
const (
	// CPUMeasure times the CPU like every other device: the baseline of
	// every speed-up (the default).
	CPUMeasure = "measure"
	// CPUCheck only has the CPU compute the answer that the devices' are
	// checked against: one untimed call per op, target and size, and none
	// where the reference cache holds that answer (an earlier run of the
	// same executable with the same seed computed it). The file then has
	// no CPU rows and no speed-ups; it is for runs that compare a
	// device's settings with each other (a tuning knob's runs), where the
	// CPU's timing would be measured again for nothing: at 2^24 points
	// an MSM on the CPU takes seconds a call.
	CPUCheck = "check"
)

// CPURoles lists the CPU's roles, the default first.
func CPURoles() []string { return []string{CPUMeasure, CPUCheck} }

// The reference cache holds the CPU's answers (their digests, from runs in
// either mode) in the cache directory's bench/ folder (zkaccel.EnvCacheDir;
// off with ZKACCEL_CACHE=off): a folder for each executable, named by its
// SHA-256, and in it an entry for each workload, size and seed. The inputs
// are drawn by the executable's code from the seed, so another build never
// reads an answer it did not compute.
var referenceFormat = bincache.Format{Magic: "ZKBENREF", Version: 1}

// executableHash is the SHA-256 of the running executable, or "" where it
// cannot be read (then nothing is cached).
var executableHash = sync.OnceValue(func() string {
	path, err := os.Executable()
	if err != nil {
		zkaccel.Debugf("bench: reference cache off: %v", err)
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		zkaccel.Debugf("bench: reference cache off: %v", err)
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		zkaccel.Debugf("bench: reference cache off: reading %s: %v", path, err)
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})

// referenceMaxAge is how long the answers of another executable stay in
// the reference cache after they were last written: each executable keeps
// its answers in a folder of its own, and the first use of the cache by
// an executable removes the other folders not written for that long, so
// that rebuilt binaries do not pile up entries.
const referenceMaxAge = 7 * 24 * time.Hour

// referenceDir returns the reference cache's folder for the running
// executable (bench/<the first 16 hex digits of its SHA-256>), creating it,
// or "" when there is no cache.
func referenceDir() string {
	exe := executableHash()
	if exe == "" {
		return ""
	}
	root := bincache.Dir("bench")
	if root == "" {
		return ""
	}
	dir := filepath.Join(root, exe[:16])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		zkaccel.Debugf("bench: reference cache off: %v", err)
		return ""
	}
	pruneReferences(root, dir, time.Now().Add(-referenceMaxAge))
	return dir
}

// pruneReferences removes, once per process, the folders of root other
// than keep that were last modified before cutoff.
func pruneReferences(root, keep string, cutoff time.Time) {
	pruneOnce.Do(func() {
		entries, err := os.ReadDir(root)
		if err != nil {
			return
		}
		for _, e := range entries {
			path := filepath.Join(root, e.Name())
			info, err := e.Info()
			if err != nil || !e.IsDir() || path == keep || !info.ModTime().Before(cutoff) {
				continue
			}
			if err := os.RemoveAll(path); err != nil {
				zkaccel.Debugf("bench: reference cache: removing %s: %v", path, err)
			}
		}
	})
}

// pruneOnce makes pruneReferences run once per process (tests reset it).
var pruneOnce sync.Once

// referencePath returns the cache entry of w's answer at size 2^logN from
// seed, or "" when there is no cache.
func referencePath(w *workload, logN int, seed int64) string {
	dir := referenceDir()
	if dir == "" {
		return ""
	}
	return bincache.Path(dir, "reference", w.name(), strconv.Itoa(logN), strconv.FormatInt(seed, 10))
}

// reference returns the CPU's answer to inst (w at size 2^logN, drawn
// from seed) for CPUCheck: from the reference cache, else from one
// untimed call on cpu, which then goes into the cache. It says where the
// answer came from, for the progress output. When the call fails, the
// answer is nil and the Result, the CPU's row, holds the error.
func reference(w *workload, logN int, seed int64, inst instance, cpu zkaccel.Device) (digest []byte, from string, failed *Result) {
	path := referencePath(w, logN, seed)
	if path != "" {
		if d, err := referenceFormat.Read(path); err == nil {
			return d, "from the reference cache", nil
		} else if !os.IsNotExist(err) {
			zkaccel.Debugf("bench: reference cache entry %s: %v (computing it again)", path, err)
			bincache.Remove(path)
		}
	}
	fail := func(what string, err error) ([]byte, string, *Result) {
		r := Result{Op: w.op, Target: w.target, Variant: w.variant, LogN: logN, N: 1 << logN, Device: cpu.String(),
			Error: failure(w, cpu, what, err)}
		return nil, "failed", &r
	}
	if pr, ok := inst.(preparer); ok {
		if _, _, _, err := pr.prepare(cpu); err != nil {
			return fail("loading the key", err)
		}
	}
	inst.reset()
	took, err := call(inst, cpu, &zkaccel.Report{})
	if err != nil {
		return fail("the reference call", err)
	}
	digest = inst.digest()
	from = "one untimed call, " + FormatDuration(took)
	if path != "" && writeReference(path, digest) {
		from += ", cached"
	}
	return digest, from, nil
}

// storeReference puts the CPU's answer to w at size 2^logN from seed,
// measured with the CPU timed, into the reference cache (where it is not
// already), so that a later run with the CPU in check mode finds it.
func storeReference(w *workload, logN int, seed int64, digest []byte) {
	path := referencePath(w, logN, seed)
	if path == "" {
		return
	}
	if _, err := os.Stat(path); err == nil {
		return
	}
	writeReference(path, digest)
}

// writeReference writes a reference cache entry, and reports whether it did.
func writeReference(path string, digest []byte) bool {
	if err := referenceFormat.Write(path, digest); err != nil {
		zkaccel.Debugf("bench: reference cache: %v", err)
		return false
	}
	return true
}
