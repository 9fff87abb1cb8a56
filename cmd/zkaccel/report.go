package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/zkaccel/zkaccel/bench"
	"github.com/zkaccel/zkaccel/bench/svg"
)

const reportAbout = `
Reads one or more JSON files written by 'zkaccel bench --json' (e.g. from
different machines) and renders them: a Markdown table of machine, device, op,
curve/field, size, median, items per second (a column shown when some file
measured a rate: hashes of the hash ops, proofs of the proof ops with
--in-flight) and speed-up against the same file's CPU row, then each device
measurement's kernels where the device timed them (to stdout, or to --md),
and an SVG chart of median time
against size, log-log, one line per machine, device, op and curve/field (to
--svg). Files written before a field was added read as before.

--targets prints instead the speed targets of issues 5 and 6 (MSM, NTT,
Poseidon2 and Keccak on a GPU; Groth16 and PLONK proofs against gnark's CPU
provers) checked against every matching device measurement in the files:
the bound, the measured value, whether it is met, by what factor, and the
device's own time of its kernels and copies per call (which of the two
bounds a missed target). A target that no file measured says so. A
speed-up target skips the files whose CPU was not timed (bench --cpu check)
where another file measured it. Below the table, each file measured under
ZKACCEL_* settings or with the CPU untimed is named with them.`

const defaultSVG = "zkaccel-report.svg"

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("report", "[flags] FILE...", reportAbout, stderr)
	mdOut := fs.String("md", "", "write the Markdown to `file` instead of stdout")
	svgOut := fs.String("svg", defaultSVG, "write the SVG chart to `file` (\"\" for no chart)")
	targets := fs.Bool("targets", false, "print the speed targets checked against the files, instead of the report")
	files, done, code := parse(fs, args)
	if done {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "zkaccel report: no input files")
		fs.Usage()
		return exitUsage
	}
	var results []*bench.File
	for _, name := range files {
		f, err := bench.ReadFile(name)
		if err != nil {
			return fail(stderr, fmt.Errorf("zkaccel report: %w", unprefix(err)))
		}
		results = append(results, f)
	}
	if *targets {
		checks := bench.CheckGoals(results, bench.Goals)
		labels := bench.MachineLabels(results)
		if err := bench.WriteGoals(stdout, checks, labels); err != nil {
			return fail(stderr, fmt.Errorf("zkaccel report: %w", err))
		}
		// Which settings each file was measured under (its knobs: a
		// file's rows are those of its label).
		fmt.Fprintln(stdout)
		if err := bench.WriteSettings(stdout, results, labels); err != nil {
			return fail(stderr, fmt.Errorf("zkaccel report: %w", err))
		}
		return exitOK
	}

	var md bytes.Buffer
	if err := bench.WriteMarkdown(&md, results); err != nil {
		return fail(stderr, err)
	}
	if *mdOut == "" {
		if _, err := stdout.Write(md.Bytes()); err != nil {
			return fail(stderr, fmt.Errorf("zkaccel report: %w", err))
		}
	} else {
		if err := os.WriteFile(*mdOut, md.Bytes(), 0o644); err != nil {
			return fail(stderr, fmt.Errorf("zkaccel report: %w", err))
		}
		fmt.Fprintf(stderr, "zkaccel report: wrote Markdown to %s\n", *mdOut)
	}

	if *svgOut != "" {
		var chart bytes.Buffer
		if err := svg.Write(&chart, results); err != nil {
			return fail(stderr, err)
		}
		if err := os.WriteFile(*svgOut, chart.Bytes(), 0o644); err != nil {
			return fail(stderr, fmt.Errorf("zkaccel report: %w", err))
		}
		fmt.Fprintf(stderr, "zkaccel report: wrote chart to %s\n", *svgOut)
	}
	return exitOK
}
