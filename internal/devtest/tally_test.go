package devtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestTally runs this test binary twice as a child that tallies three
// outcomes: with EnvTallyDir set, the directory must hold one file with the
// three lines, a newline in an outcome turned to a space; without it, the
// child's working directory must stay empty.
func TestTally(t *testing.T) {
	if os.Getenv("ZKACCEL_TALLY_CHILD") == "1" {
		Tally("proved")
		Tally("skipped:\ntoo large")
		Tally("proved")
		return
	}
	run := func(dir string, env ...string) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestTally$", "-test.count=1")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), append(env, "ZKACCEL_TALLY_CHILD=1")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
	}
	dir := t.TempDir()
	run(t.TempDir(), EnvTallyDir+"="+dir)
	files, err := filepath.Glob(filepath.Join(dir, "tally-*.txt"))
	if err != nil || len(files) != 1 {
		t.Fatalf("tally files %v (%v), want one", files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := "proved\nskipped: too large\nproved\n"; string(b) != want {
		t.Errorf("tally %q, want %q", b, want)
	}

	quiet := t.TempDir()
	run(quiet, EnvTallyDir+"=")
	if left, _ := os.ReadDir(quiet); len(left) != 0 {
		t.Errorf("without %s the child wrote %v", EnvTallyDir, left)
	}
}
