package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

const warmupAbout = `
Compiles every device program for each chosen device ahead of first use, so
that no later call waits for a compiler: the MSM, NTT and hash programs of
every curve and field. Under CUDA with NVRTC the compiles run in parallel,
one per CPU, and go to the disk cache (ZKACCEL_CACHE_DIR, else the user's
cache directory), where every later process finds them; OpenCL runtimes
cache their builds likewise. Progress goes to stderr.

The default is every GPU present that the automatic choice may pick (not
POCL's CPU device, which can be named). --programs narrows the work to some
programs: under a ZKACCEL_* setting that changes the device source
(ZKACCEL_GPU_MUL, ZKACCEL_GPU_SQR, ZKACCEL_MSM_BLOCK, …) each program is a
new compile, and a run that will use a few of them can compile just those
ahead, e.g. ZKACCEL_GPU_SQR=0 zkaccel warmup --programs msm/bn254/g1,poseidon2.`

// warmer is a device that can compile its programs ahead of use (gpu.Device).
type warmer interface {
	Warmup(progress func(stage string, done, total int)) error
	WarmupPrograms(keys []string, progress func(stage string, done, total int)) error
}

func runWarmup(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("warmup", "[flags]", warmupAbout, stderr)
	devs := newList()
	fs.Var(devs, "device", "`devices` to warm up (repeatable or comma list; default every GPU present that the automatic choice may pick)")
	progs := newList()
	fs.Var(progs, "programs", "the `programs` to compile (comma list of keys such as msm/bn254/g1, or their starts up to a '/': msm/bn254, ntt, poseidon2; default every one)")
	pos, done, code := parse(fs, args)
	if done {
		return code
	}
	if done, code := noArgs(fs, pos); done {
		return code
	}
	var keys []string
	if len(progs.values) > 0 {
		var err error
		if keys, err = gpu.SelectPrograms(progs.values); err != nil {
			return fail(stderr, fmt.Errorf("zkaccel warmup: --programs: %w", err))
		}
	}
	var chosen []zkaccel.Device
	if len(devs.values) > 0 {
		var err error
		if chosen, err = openDevices("warmup", devs.values); err != nil {
			return fail(stderr, err)
		}
	} else {
		for _, d := range zkaccel.Devices() {
			if _, ok := d.(warmer); ok && zkaccel.AutoCandidate(d) {
				chosen = append(chosen, d)
			}
		}
		if len(chosen) == 0 {
			return fail(stderr, fmt.Errorf("zkaccel warmup: no GPU to warm up (name a device with --device; present: %s)", presentDevices()))
		}
	}
	status := exitOK
	for _, d := range chosen {
		w, ok := d.(warmer)
		if !ok {
			fmt.Fprintf(stdout, "%v: nothing to compile (%s)\n", d, d.Name())
			continue
		}
		start := time.Now()
		last := ""
		progress := func(stage string, done, total int) {
			if done == total || time.Since(start) > 2*time.Second || stage != last {
				fmt.Fprintf(stderr, "warmup %v: %s %d/%d (%v)\n", d, stage, done, total, time.Since(start).Round(time.Millisecond))
			}
			last = stage
		}
		var err error
		what := "every program"
		if keys != nil {
			err = w.WarmupPrograms(keys, progress)
			what = fmt.Sprintf("%d programs (%s)", len(keys), strings.Join(keys, ", "))
		} else {
			err = w.Warmup(progress)
		}
		if err != nil {
			fmt.Fprintf(stderr, "zkaccel warmup: %v\n", err)
			status = exitFail
			continue
		}
		fmt.Fprintf(stdout, "%v: %s ready in %v (%s)\n", d, what, time.Since(start).Round(time.Millisecond), d.Name())
	}
	return status
}
