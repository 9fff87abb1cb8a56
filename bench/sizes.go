package bench

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// MaxLogSize is the largest log2 size [ParseSizes] and [Run] accept: 2^28
// elements, which is already 8 GiB of BN254 scalars.
const MaxLogSize = 28

// ParseSizes parses a list of log2 sizes: an inclusive range "10:16", a
// single size "12", or a comma-separated list of both ("10:12,16"). It
// returns the sizes in increasing order without duplicates. Every size must
// lie in [0, MaxLogSize], and a range must not run backwards.
func ParseSizes(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("zkaccel bench: empty size list (want e.g. 10:16, 12 or 10,12,14)")
	}
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := parseLogSize(lo, s)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = parseLogSize(hi, s); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("zkaccel bench: size range %q runs backwards (did you mean %d:%d?)", part, b, a)
			}
		}
		for k := a; k <= b; k++ {
			seen[k] = true
		}
	}
	out := make([]int, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Ints(out)
	return out, nil
}

// parseLogSize parses one log2 size of the list all.
func parseLogSize(v, all string) (int, error) {
	v = strings.TrimSpace(v)
	k, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("zkaccel bench: sizes %q: %q is not a log2 size (want e.g. 10:16, 12 or 10,12,14)", all, v)
	}
	if k < 0 || k > MaxLogSize {
		return 0, fmt.Errorf("zkaccel bench: sizes %q: log2 size %d is out of range [0, %d]", all, k, MaxLogSize)
	}
	return k, nil
}

// ParseConstraints parses the log2 constraint counts of the proof
// operations: as [ParseSizes], each count also written as a power of two,
// "2^16" (so "2^12:2^16" and "12,2^16" work too).
func ParseConstraints(s string) ([]int, error) {
	return ParseSizes(strings.ReplaceAll(s, "2^", ""))
}
