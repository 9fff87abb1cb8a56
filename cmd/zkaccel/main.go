// Command zkaccel lists the devices zkaccel can use, runs its conformance
// suite on them, benchmarks them against the CPU, records the crossovers of
// the automatic device choice, compiles device programs ahead of use, and
// renders benchmark results from one or more machines as Markdown and SVG.
//
// Usage:
//
//	zkaccel devices
//	zkaccel conformance [--device D] [--ops msm,ntt,poseidon,poseidon2,keccak]
//	                    [--long] [--seed N] [--run REGEXP]
//	zkaccel bench [--device D] [--ops msm,ntt,poseidon,poseidon2,keccak] [--sizes 10:16]
//	              [--curves bn254] [--fields bn254] [--group g1] [--scalars uniform]
//	              [--runs N] [--json FILE] [--md FILE]
//	zkaccel tune [--device D] [--ops …] [--sizes 8:20] [--curves …] [--fields …]
//	             [--group g1] [--runs N] [--json FILE] [--dry-run] [--from FILES]
//	zkaccel warmup [--device D]
//	zkaccel report [--md FILE] [--svg FILE] FILE...
//	zkaccel help [COMMAND]
//
// Run `zkaccel help COMMAND` for a command's flags.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/consensys/gnark/logger"

	_ "github.com/zkaccel/zkaccel/backends" // opencl:N (and later cuda, fpga) devices
)

func main() {
	// gnark logs every solve and proof at debug level; the commands print
	// their own progress.
	logger.Disable()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // an error, or a failed check or measurement
	exitUsage = 2 // bad command line
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"devices", "list the devices present, and the backends that found none", runDevices},
		{"conformance", "run the conformance suite on devices", runConformance},
		{"bench", "benchmark MSM, NTT and the hashes on devices against the CPU", runBench},
		{"tune", "measure and record each op's crossover size for the automatic device choice", runTune},
		{"warmup", "compile every device program ahead of first use (in parallel under CUDA)", runWarmup},
		{"report", "render bench JSON files as Markdown and an SVG chart", runReport},
		{"help", "show help for zkaccel or one of its commands", nil},
	}
}

// run is the command line: args without the program name. It returns the
// exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			usage(stdout)
			return exitOK
		}
		c, ok := lookup(rest[0])
		if !ok || c.run == nil {
			fmt.Fprintf(stderr, "zkaccel help: unknown command %q\n", rest[0])
			usage(stderr)
			return exitUsage
		}
		return c.run([]string{"-h"}, stdout, stdout)
	}
	c, ok := lookup(name)
	if !ok || c.run == nil {
		fmt.Fprintf(stderr, "zkaccel: unknown command %q\n", name)
		usage(stderr)
		return exitUsage
	}
	return c.run(rest, stdout, stderr)
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "zkaccel runs zero-knowledge prover kernels on CPUs, GPUs and FPGAs.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: zkaccel COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'zkaccel help COMMAND' (or 'zkaccel COMMAND -h') for a command's flags.")
}
