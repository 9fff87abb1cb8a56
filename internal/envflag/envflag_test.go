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

func TestFirstOff(t *testing.T) {
	t.Setenv("ZKACCEL_TEST_A", "1")
	t.Setenv("ZKACCEL_TEST_B", "0")
	t.Setenv("ZKACCEL_TEST_C", "yes")
	t.Setenv("ZKACCEL_TEST_D", "0")
	for _, c := range []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"ZKACCEL_TEST_A"}, ""},
		{[]string{"ZKACCEL_TEST_UNSET", "ZKACCEL_TEST_A"}, ""},
		{[]string{"ZKACCEL_TEST_C"}, ""},
		{[]string{"ZKACCEL_TEST_A", "ZKACCEL_TEST_B", "ZKACCEL_TEST_D"}, "ZKACCEL_TEST_B"},
		{[]string{"ZKACCEL_TEST_C", "ZKACCEL_TEST_D"}, "ZKACCEL_TEST_D"},
	} {
		if got := envflag.FirstOff(c.names...); got != c.want {
			t.Errorf("FirstOff(%v) = %q, want %q", c.names, got, c.want)
		}
	}
}
