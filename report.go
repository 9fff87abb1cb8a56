package zkaccel

import (
	"fmt"
	"os"
	"time"
)

// EnvDebug is the environment variable that, when set to anything but "" or
// "0", makes front ends log every CPU fallback (and every device error) on
// standard error.
const EnvDebug = "ZKACCEL_DEBUG"

// Report tells what became of one front-end call. Pass a *Report to a front
// end's WithReport option to have it filled in.
type Report struct {
	Op        string        // e.g. "msm bn254 g1" or "ntt goldilocks fft"
	N         int           // the call's size (points, or domain cardinality)
	Requested Device        // the device the call asked for (explicitly or by default)
	Ran       Device        // the device that computed the result
	Fallback  bool          // true when Requested lacked the op and the CPU ran it
	Reason    error         // the ErrUnsupported-wrapping error behind a fallback
	Elapsed   time.Duration // wall time of the call, fallback included
	// Auto is true when Requested was the automatic default (see
	// LookupDefault); Crossover is then the op's measured crossover on it
	// (0: none measured). A call below it ran on the CPU, which is not a
	// fallback.
	Auto      bool
	Crossover int
}

// String summarises the report in one line.
func (r *Report) String() string {
	if r == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("%s n=%d on %v in %v", r.Op, r.N, r.Ran, r.Elapsed)
	if r.Fallback {
		s += fmt.Sprintf(" (fallback from %v: %v)", r.Requested, r.Reason)
	}
	if r.Auto && r.Requested != nil && r.Ran != r.Requested && !r.Fallback {
		if r.Crossover > 0 {
			s += fmt.Sprintf(" (automatic: below %v's crossover, n=%d)", r.Requested, r.Crossover)
		} else {
			s += fmt.Sprintf(" (automatic: no crossover measured on %v)", r.Requested)
		}
	}
	return s
}

// Debug reports whether ZKACCEL_DEBUG is set.
func Debug() bool {
	v := os.Getenv(EnvDebug)
	return v != "" && v != "0"
}

// Debugf writes one line to standard error, prefixed "zkaccel: ", when
// [Debug] is true.
func Debugf(format string, args ...any) {
	if Debug() {
		fmt.Fprintf(os.Stderr, "zkaccel: "+format+"\n", args...)
	}
}
