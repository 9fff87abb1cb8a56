package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench"
)

const devicesAbout = `
Lists the devices present (the CPU is always one), then the runtime and
driver of each device that reports them (and which are the host CPU seen
through a GPU runtime, such as POCL, never chosen automatically; and, for
GPU runtimes, the forms of the source its programs are compiled in: the
field multiplication's, the NTT's layout, the curve formulas'), then every
registered backend that found no device and why, and the device kinds this build has no
backend for; last, the default device (ZKACCEL_DEVICE's, or the automatic choice and the
crossovers it follows: measured on this machine by 'zkaccel tune', or shipped with zkaccel
for the device's model).`

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
	var notes []string
	for _, d := range zkaccel.Devices() {
		var about []string
		if dr, ok := d.(interface{ Driver() string }); ok && dr.Driver() != "" {
			about = append(about, dr.Driver())
		}
		if h, ok := d.(interface{ OnHost() bool }); ok && h.OnHost() {
			about = append(about, "the host CPU through a GPU runtime: never chosen automatically, used when named")
		}
		var forms string
		if f, ok := d.(interface{ Forms() (string, error) }); ok {
			if desc, err := f.Forms(); err != nil {
				forms = fmt.Sprintf("\n    programs: %v", err)
			} else {
				forms = "\n    programs: " + desc
			}
		}
		if len(about) > 0 || forms != "" {
			line := fmt.Sprintf("  %s:", d)
			if len(about) > 0 {
				line += " " + strings.Join(about, "; ")
			}
			notes = append(notes, line+forms)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, "drivers:")
		for _, n := range notes {
			fmt.Fprintln(stdout, n)
		}
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
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "default: %s\n", describeDefault())
	return exitOK
}

// describeDefault says which device calls without a device option use, and
// why.
func describeDefault() string {
	d, err := zkaccel.LookupDefault()
	switch {
	case err != nil:
		return err.Error()
	case !zkaccel.AutomaticDefault():
		return fmt.Sprintf("%s (%s)", d, zkaccel.EnvDevice)
	}
	c := zkaccel.CrossoversOf(d)
	if d.Kind() == zkaccel.CPU || c == nil {
		return fmt.Sprintf("%s (automatic: no GPU or FPGA has crossovers, measured here by 'zkaccel tune' or shipped with zkaccel)", d)
	}
	where := "measured on this machine"
	if c.Shipped {
		where = "shipped with zkaccel for this model"
		if c.Machine != "" {
			where += ", measured on " + c.Machine
		}
	}
	if c.Date != "" {
		where += ", " + c.Date
	}
	return fmt.Sprintf("%s (automatic: %d operations run there from their crossover sizes, %s)", d, len(c.Ops), where)
}
