//go:build unix

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel/bench"
)

// TestBenchTerminated checks that a bench stopped part-way still leaves
// what it measured: stopped by SIGTERM (the signal timeout(1) and job
// runners send, as scripts/gpu-check.sh's step limits do), it writes its
// table and JSON and exits non-zero; killed (SIGKILL, which nothing can
// catch), its JSON as saved after each measurement remains. The test runs
// the command in a child process (this test binary again), signals it
// while it draws the inputs of its second size, and reads the JSON.
func TestBenchTerminated(t *testing.T) {
	if args := os.Getenv("ZKACCEL_TEST_BENCH_CHILD"); args != "" {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "bench.json")
			args := []string{"bench", "--device", "cpu:0", "--ops", "msm", "--curves", "bn254", "--sizes", "8,20", "--runs", "1", "--max-time", "1s", "--json", out}
			cmd := exec.Command(os.Args[0], "-test.run=^TestBenchTerminated$")
			cmd.Env = append(os.Environ(), "ZKACCEL_TEST_BENCH_CHILD="+strings.Join(args, "\x1f"))
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var seen []string
			sc := bufio.NewScanner(stderr)
			sc.Split(scanProgress)
			signalled := false
			for sc.Scan() {
				seen = append(seen, sc.Text())
				if !signalled && strings.Contains(sc.Text(), "2^20") {
					if err := cmd.Process.Signal(sig); err != nil {
						t.Fatal(err)
					}
					signalled = true
				}
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				<-done
				t.Fatalf("the bench did not stop within 2 minutes of %v; stderr:\n%s", sig, strings.Join(seen, "\n"))
			}
			if !signalled {
				t.Fatalf("the bench ended before its second size (%v); stderr:\n%s", err, strings.Join(seen, "\n"))
			}
			if err == nil {
				t.Errorf("a bench stopped by %v exited 0; it must report that it was cut short", sig)
			}
			if sig == syscall.SIGTERM && !strings.Contains(strings.Join(seen, "\n"), "wrote "+out) {
				t.Errorf("after SIGTERM the bench did not say it wrote its JSON; stderr:\n%s", strings.Join(seen, "\n"))
			}
			f, rerr := bench.ReadFile(out)
			if rerr != nil {
				t.Fatalf("no JSON after %v: %v; stderr:\n%s", sig, rerr, strings.Join(seen, "\n"))
			}
			measured := 0
			for _, r := range f.Results {
				if r.LogN == 8 && r.OK() {
					measured++
				}
			}
			if measured == 0 {
				t.Errorf("the JSON holds no measurement at 2^8: %+v", f.Results)
			}
		})
	}
}

// scanProgress splits bench's stderr at newlines and at the ellipsis that
// ends a progress message ("drawing inputs…"), which waits for its time on
// the same line.
func scanProgress(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := strings.IndexAny(string(data), "\n…"); i >= 0 {
		n := i + 1
		if data[i] != '\n' {
			n = i + len("…")
		}
		return n, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
