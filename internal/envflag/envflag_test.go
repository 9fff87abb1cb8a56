package envflag_test

import (
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel/internal/envflag"
)

// TestSwitch checks the values a switch takes, with both defaults, and
// that a bad value is an error naming the variable.
func TestSwitch(t *testing.T) {
	const name = "ZKACCEL_ENVFLAG_TEST"
	for _, tc := range []struct {
		v        string
		def, on  bool
		set, bad bool
	}{
		{"", false, false, false, false},
		{"", true, true, false, false},
		{"0", true, false, true, false},
		{"1", false, true, true, false},
		{"yes", true, false, false, true},
	} {
		t.Setenv(name, tc.v)
		on, err := envflag.Switch(name, tc.def)
		if (err != nil) != tc.bad || err == nil && on != tc.on {
			t.Errorf("%q, default %v: %v, %v", tc.v, tc.def, on, err)
		}
		if err != nil && !strings.Contains(err.Error(), name) {
			t.Errorf("%q: the error does not name the variable: %v", tc.v, err)
		}
		if _, set, _ := envflag.Lookup(name); set != tc.set {
			t.Errorf("%q: set %v, want %v", tc.v, set, tc.set)
		}
	}
}
