package bench

import (
	"slices"
	"strings"
	"testing"
)

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"10:16", []int{10, 11, 12, 13, 14, 15, 16}},
		{"12", []int{12}},
		{"0", []int{0}},
		{"28", []int{28}},
		{"4:4", []int{4}},
		{" 3 : 5 ", []int{3, 4, 5}},
		{"10:12,16", []int{10, 11, 12, 16}},
		{"16,4,4,5:6", []int{4, 5, 6, 16}},
	} {
		got, err := ParseSizes(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseSizes(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseSizesErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"  ", "empty"},
		{"20:10", "runs backwards"},
		{"x", `"x" is not a log2 size`},
		{"10:", `"" is not a log2 size`},
		{":10", `"" is not a log2 size`},
		{"1:2:3", `"2:3" is not a log2 size`},
		{"29", "out of range [0, 28]"},
		{"10:29", "out of range"},
		{"-1", "out of range"},
		{"10,,12", `"" is not a log2 size`},
		{"1e3", "not a log2 size"},
	} {
		got, err := ParseSizes(tc.in)
		if err == nil {
			t.Errorf("ParseSizes(%q) = %v, want an error", tc.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "zkaccel bench: ") {
			t.Errorf("ParseSizes(%q) error %q; want it to start with \"zkaccel bench: \" and contain %q", tc.in, err, tc.want)
		}
	}
}
