package cuda

import (
	"math"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
)

// timedEvent is a pair of CUDA events around one launch or copy.
type timedEvent struct {
	start, end uintptr
	copy       bool
	name       string // the kernel's
	epoch      int    // rt.epoch when recorded: a pair from before a ResetTimes is not counted
}

// maxPending bounds the timing events kept; past it the runtime waits for
// the stream and collects them.
const maxPending = 4096

// timeStart records a start event on stream when timing is on and returns
// the function that ends the timing, for a copy or for a launch of the
// kernel name: with ok, the operation was queued, and it records the
// matching end event; else it drops the events. The function is a no-op
// when timing is off or an event could not be made: timing never fails an
// operation. Every path of the operation must call it once. The caller
// has entered the runtime.
func (rt *Runtime) timeStart(copy bool, name string, stream uintptr) func(ok bool) {
	if !rt.timing {
		return func(bool) {}
	}
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	s, e := ps.Word(0), ps.Word(0)
	if a.check("cuEventCreate", a.call(a.eventCreate, cgo.Addr(s), eventDefault)) != nil {
		return func(bool) {}
	}
	if a.check("cuEventCreate", a.call(a.eventCreate, cgo.Addr(e), eventDefault)) != nil {
		a.call(a.eventDestroy, *s)
		return func(bool) {}
	}
	start, end := *s, *e
	a.call(a.eventRecord, start, stream)
	return func(ok bool) {
		if !ok {
			a.call(a.eventDestroy, start) // CUDA frees it once the stream reaches it
			a.call(a.eventDestroy, end)
			return
		}
		a.call(a.eventRecord, end, stream)
		rt.pending = append(rt.pending, timedEvent{start, end, copy, name, rt.epoch})
		if len(rt.pending) >= maxPending {
			a.call(a.streamSynchronize, stream)
			rt.collect()
		}
	}
}

// collect adds the elapsed times of the recorded event pairs that have
// completed to the timers and destroys their events; a pair still running
// (CUDA_ERROR_NOT_READY) stays for a later collect.
func (rt *Runtime) collect() {
	if len(rt.pending) == 0 {
		return
	}
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	ms := ps.Word(0)
	keep := rt.pending[:0]
	for _, ev := range rt.pending {
		*ms = 0
		r := int32(uint32(a.call(a.eventElapsedTime, cgo.Addr(ms), ev.start, ev.end)))
		if r == cudaErrorNotReady {
			keep = append(keep, ev)
			continue
		}
		if r == cudaSuccess && ev.epoch == rt.epoch {
			d := time.Duration(float64(math.Float32frombits(uint32(*ms))) * float64(time.Millisecond))
			if ev.copy {
				rt.xtime += d
			} else {
				rt.ktime += d
				rt.kstats.Add(ev.name, d)
			}
		}
		a.call(a.eventDestroy, ev.start)
		a.call(a.eventDestroy, ev.end)
	}
	rt.pending = keep
}

// SetTiming turns the timing of launches and copies on (the default) or
// off. With it on, CUDA events around each launch and each copy measure
// device time, summed by [Runtime.Times].
func (rt *Runtime) SetTiming(on bool) {
	rt.mu.Lock()
	rt.timing = on
	rt.mu.Unlock()
}

// Times waits for everything issued so far and returns the device time
// spent in kernels and in host↔device copies since the last
// [Runtime.ResetTimes] (or since the runtime was first used), while timing
// was on.
func (rt *Runtime) Times() (kernels, copies time.Duration, err error) {
	exit, err := rt.enter()
	if err != nil {
		return 0, 0, err
	}
	defer exit()
	if err := rt.finish(); err != nil {
		return 0, 0, err
	}
	return rt.ktime, rt.xtime, nil
}

// ResetTimes sets both timers of [Runtime.Times], and the kernels' of
// [Runtime.KernelTimes], to zero.
func (rt *Runtime) ResetTimes() {
	rt.mu.Lock()
	rt.ktime, rt.xtime, rt.kstats = 0, 0, nil
	rt.epoch++ // the pairs still pending belong to before
	rt.mu.Unlock()
}

// KernelTimes waits for everything issued so far and returns, for each
// kernel launched since the last [Runtime.ResetTimes] while timing was on,
// its launches and their summed device time, the longest first.
func (rt *Runtime) KernelTimes() ([]zkaccel.KernelTime, error) {
	exit, err := rt.enter()
	if err != nil {
		return nil, err
	}
	defer exit()
	if err := rt.finish(); err != nil {
		return nil, err
	}
	return rt.kstats.List(), nil
}
