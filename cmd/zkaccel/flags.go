package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench"
)

// newFlags returns the flag set of command name, whose usage prints synopsis
// and about before the flags.
func newFlags(name, synopsis, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("zkaccel "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: zkaccel %s %s\n\n%s\n", name, synopsis, strings.TrimSpace(about))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(out, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args with fs, allowing flags after positional arguments
// (zkaccel report a.json --md out.md); "--" ends the flags. It returns the
// positional arguments, and done with an exit code when the command should
// stop here: after -h (exit 0) or a bad flag (exit 2; the flag package has
// printed the error and the usage).
func parse(fs *flag.FlagSet, args []string) (pos []string, done bool, code int) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, true, exitOK
			}
			return nil, true, exitUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, false, 0
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), false, 0
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// noArgs reports positional arguments to a command that takes none.
func noArgs(fs *flag.FlagSet, pos []string) (done bool, code int) {
	if len(pos) == 0 {
		return false, 0
	}
	fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), pos[0])
	fs.Usage()
	return true, exitUsage
}

// listFlag is a repeatable flag of comma-separated values: --ops msm,ntt or
// --ops msm --ops ntt. Setting it once replaces its default.
type listFlag struct {
	values []string
	set    bool
}

func newList(defaults ...string) *listFlag { return &listFlag{values: defaults} }

// String implements flag.Value.
func (l *listFlag) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(l.values, ",")
}

// Set implements flag.Value: it appends the comma-separated values of s.
func (l *listFlag) Set(s string) error {
	if !l.set {
		l.values, l.set = nil, true
	}
	for _, v := range strings.Split(s, ",") {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
			l.values = append(l.values, v)
		}
	}
	return nil
}

// chosenDevices returns the devices a subcommand works on: those of its
// --device flags, else the device ZKACCEL_DEVICE names (an invalid value is
// an error, never ignored), else nil, meaning every device present.
func chosenDevices(cmd string, specs []string) ([]zkaccel.Device, error) {
	if len(specs) > 0 {
		return openDevices(cmd, specs)
	}
	if os.Getenv(zkaccel.EnvDevice) == "" {
		return nil, nil
	}
	d, err := zkaccel.LookupDefault()
	if err != nil {
		return nil, fmt.Errorf("zkaccel %s: %w", cmd, err)
	}
	return []zkaccel.Device{d}, nil
}

// openDevices opens each device spec, without duplicates, in order. An
// unknown or absent device is an error that lists the devices present.
func openDevices(cmd string, specs []string) ([]zkaccel.Device, error) {
	var out []zkaccel.Device
	seen := map[string]bool{}
	for _, s := range specs {
		d, err := zkaccel.Open(s)
		if err != nil {
			return nil, fmt.Errorf("zkaccel %s: --device %s: %w", cmd, s, err)
		}
		if !seen[d.String()] {
			seen[d.String()] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// checkNames checks that every value is one of known, ignoring case and
// hyphens ("bls12381" is "bls12-381"), and returns the known spellings.
func checkNames[S ~string](cmd, flagName string, values []string, known []S) ([]S, error) {
	canon := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "") }
	var out []S
	for _, v := range values {
		found := false
		for _, k := range known {
			if canon(string(k)) == canon(v) {
				out, found = append(out, k), true
				break
			}
		}
		if !found {
			names := make([]string, len(known))
			for i, k := range known {
				names[i] = string(k)
			}
			return nil, fmt.Errorf("zkaccel %s: --%s: unknown value %q (known: %s)", cmd, flagName, v, strings.Join(names, ", "))
		}
	}
	return out, nil
}

// fail prints err and returns the failure exit code.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, err)
	return exitFail
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// measureArgs are the measurement flags that bench and tune share.
type measureArgs struct {
	ops, curves, fields []string
	knownOps            []string
	group               string
	runs                int
	maxTime             time.Duration
}

// setMeasure checks the shared measurement flags of command cmd and sets
// them in cfg.
func setMeasure(cmd string, cfg *bench.Config, m measureArgs) error {
	var err error
	if cfg.Ops, err = checkNames(cmd, "ops", m.ops, m.knownOps); err != nil {
		return err
	}
	if cfg.Curves, err = checkNames(cmd, "curves", m.curves, bench.Curves()); err != nil {
		return err
	}
	if cfg.Fields, err = checkNames(cmd, "fields", m.fields, bench.Fields()); err != nil {
		return err
	}
	switch strings.ToLower(m.group) {
	case "g1":
		cfg.Group = zkaccel.G1
	case "g2":
		cfg.Group = zkaccel.G2
	default:
		return fmt.Errorf("zkaccel %s: --group: unknown group %q (known: g1, g2)", cmd, m.group)
	}
	if m.runs < 1 {
		return fmt.Errorf("zkaccel %s: --runs: %d runs; want at least 1", cmd, m.runs)
	}
	if m.maxTime <= 0 {
		return fmt.Errorf("zkaccel %s: --max-time: %v; want a positive duration", cmd, m.maxTime)
	}
	return nil
}
