package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench"
)

const devicesAbout = `
Lists the devices present (the CPU is always one), then every registered
backend that found no device and why, and the device kinds this build has no
backend for.`

func runDevices(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("devices", "", devicesAbout, stderr)
	pos, done, code := parse(fs, args)
	if done {
		return code
	}
	if done, code := noArgs(fs, pos); done {
		return code
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SPEC\tKIND\tNAME\tMEMORY")
	for _, d := range zkaccel.Devices() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d, d.Kind(), d.Name(), bench.FormatGiB(d.Memory()))
	}
	if err := tw.Flush(); err != nil {
		return fail(stderr, fmt.Errorf("zkaccel devices: %w", err))
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "backends:")
	registered := map[zkaccel.Kind]bool{zkaccel.CPU: true}
	fmt.Fprintln(stdout, "  cpu: built in (gnark-crypto), always present")
	for _, b := range zkaccel.Backends() {
		registered[b.Kind] = true
		switch {
		case b.Err != nil:
			fmt.Fprintf(stdout, "  %s: no device: %v\n", b.Kind, b.Err)
		case len(b.Devices) == 0:
			fmt.Fprintf(stdout, "  %s: loaded, but found no device\n", b.Kind)
		default:
			fmt.Fprintf(stdout, "  %s: %d device(s)\n", b.Kind, len(b.Devices))
		}
	}
	for _, k := range zkaccel.KnownKinds() {
		if !registered[k] {
			fmt.Fprintf(stdout, "  %s: backend not built yet (none is registered in this build)\n", k)
		}
	}
	return exitOK
}
