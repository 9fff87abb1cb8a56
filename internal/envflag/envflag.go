// Package envflag reads zkaccel's on/off switches from the environment:
// "1" on, "0" off, unset (or empty) the switch's default, and any other
// value an error that names the variable.
package envflag

import (
	"fmt"
	"os"
)

// Lookup returns the switch that variable name sets and whether it is set
// ("0" or "1"); an unset or empty variable is not set, and any other value
// is an error.
func Lookup(name string) (on, set bool, err error) {
	switch v := os.Getenv(name); v {
	case "":
		return false, false, nil
	case "0", "1":
		return v == "1", true, nil
	default:
		return false, false, fmt.Errorf("%s=%q: want 0 or 1", name, v)
	}
}

// Switch returns the switch that variable name sets, def where it is not
// set; any value but "0", "1" and "" is an error.
func Switch(name string, def bool) (bool, error) {
	on, set, err := Lookup(name)
	if err != nil || !set {
		return def, err
	}
	return on, nil
}

// FirstOff returns the first of names, switches on by default, that the
// environment turns off ("0"), or "" where none is: for tests that expect
// the path a fallback setting chooses. A malformed value counts as on (the
// code that reads the switch reports it).
func FirstOff(names ...string) string {
	for _, name := range names {
		if on, err := Switch(name, true); err == nil && !on {
			return name
		}
	}
	return ""
}
