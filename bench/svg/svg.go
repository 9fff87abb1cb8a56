// Package svg draws zkaccel benchmark results (bench.File) as an SVG chart
// with gonum/plot. It is a separate package so that only programs that draw
// charts, such as the zkaccel command, depend on gonum.
package svg

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/zkaccel/zkaccel/bench"
)

// Chart geometry.
const (
	width       = 8 * vg.Inch
	plotHeight  = 5 * vg.Inch
	legendFont  = 10            // points
	legendEntry = vg.Length(12) // points per legend line
)

// series is one line of the chart: one (machine, device, op, curve/field).
type series struct {
	label string
	xys   plotter.XYs
}

// Write draws the median time of every successful measurement in files
// against its size, on log-log axes, one line per (machine, device, op,
// curve/field), with a legend below the plot, and writes the chart to w as
// SVG. Machines are labelled as bench.MachineLabels labels them.
func Write(w io.Writer, files []*bench.File) (err error) {
	defer func() {
		// gonum/plot panics on some degenerate inputs; report, never crash.
		if v := recover(); v != nil {
			err = fmt.Errorf("zkaccel bench/svg: drawing the chart: %v", v)
		}
	}()
	lines := collect(files)
	if len(lines) == 0 {
		return fmt.Errorf("zkaccel bench/svg: no successful measurements to plot")
	}
	p := plot.New()
	p.Title.Text = "zkaccel: median time against size"
	p.X.Label.Text = "size n (points or elements)"
	p.Y.Label.Text = "median time"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker = plot.TickerFunc(pow2Ticks)
	p.Y.Tick.Marker = plot.TickerFunc(timeTicks)
	p.Add(plotter.NewGrid())
	p.Title.Padding = vg.Points(6)
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font} {
		f.Variant = "Sans"
	}
	// The legend goes below the plot, where it hides no line, so it is
	// drawn apart from p (whose own legend stays empty).
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	legend.TextStyle.Font.Size = legendFont
	legend.TextStyle.Font.Variant = "Sans"

	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i, s := range lines {
		line, points, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return fmt.Errorf("zkaccel bench/svg: %s: %w", s.label, err)
		}
		clr := plotutil.Color(i)
		line.Color, points.Color = clr, clr
		line.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
		points.Shape = plotutil.Shape(i)
		p.Add(line, points)
		legend.Add(s.label, line, points)
		for _, xy := range s.xys {
			xmin, xmax = math.Min(xmin, xy.X), math.Max(xmax, xy.X)
			ymin, ymax = math.Min(ymin, xy.Y), math.Max(ymax, xy.Y)
		}
	}
	// Margins by a constant factor on log axes; they also keep a single
	// point's range from collapsing.
	p.X.Min, p.X.Max = xmin/1.5, xmax*1.5
	p.Y.Min, p.Y.Max = ymin/2, ymax*2

	legendHeight := vg.Length(len(lines))*legendEntry + vg.Points(12)
	c := vgsvg.New(width, plotHeight+legendHeight)
	dc := draw.New(c)
	p.Draw(draw.Crop(dc, 0, 0, legendHeight, 0))
	legend.Draw(draw.Crop(dc, vg.Inch/2, 0, 0, -plotHeight-vg.Points(4)))
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("zkaccel bench/svg: writing: %w", err)
	}
	return nil
}

// collect groups the successful measurements of files into lines, in the
// order they first appear.
func collect(files []*bench.File) []*series {
	labels := bench.MachineLabels(files)
	var out []*series
	index := map[string]*series{}
	for i, f := range files {
		for j := range f.Results {
			r := &f.Results[j]
			if !r.OK() {
				continue
			}
			dev := r.Device
			if r.Fallback {
				dev += " (fell back to cpu)"
			}
			label := fmt.Sprintf("%s · %s · %s %s", labels[i], dev, r.OpLabel(), r.Target)
			s := index[label]
			if s == nil {
				s = &series{label: label}
				index[label] = s
				out = append(out, s)
			}
			// 2^LogN rather than N: Decode has checked LogN's range.
			s.xys = append(s.xys, plotter.XY{X: math.Ldexp(1, r.LogN), Y: r.Median.Seconds()})
		}
	}
	return out
}

// pow2Ticks marks the powers of two in [lo, hi], labelled "2^k"; when
// there are many, only every second or fourth is labelled.
func pow2Ticks(lo, hi float64) []plot.Tick {
	kmin, kmax := int(math.Ceil(math.Log2(lo))), int(math.Floor(math.Log2(hi)))
	step := 1
	for (kmax-kmin)/step > 12 {
		step *= 2
	}
	var ticks []plot.Tick
	for k := kmin; k <= kmax; k++ {
		t := plot.Tick{Value: math.Ldexp(1, k)}
		if k%step == 0 {
			t.Label = "2^" + strconv.Itoa(k)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// timeTicks marks the decades of seconds in [lo, hi] with durations
// ("10 µs", "1 ms") and their multiples 2…9 as minor ticks.
func timeTicks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := int(math.Floor(math.Log10(lo))); e <= int(math.Ceil(math.Log10(hi))); e++ {
		decade := math.Pow10(e)
		for m := 1; m < 10; m++ {
			v := decade * float64(m)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 {
				t.Label = tickDuration(v)
			}
			ticks = append(ticks, t)
		}
	}
	if !labelled(ticks) {
		// Less than a decade: label every tick, or the ends if none.
		if len(ticks) == 0 {
			ticks = []plot.Tick{{Value: lo}, {Value: hi}}
		}
		for i := range ticks {
			ticks[i].Label = tickDuration(ticks[i].Value)
		}
	}
	return ticks
}

// labelled reports whether any tick has a label.
func labelled(ticks []plot.Tick) bool {
	for _, t := range ticks {
		if t.Label != "" {
			return true
		}
	}
	return false
}

// tickDuration labels a tick at v seconds: "10 µs", "2.5 ms".
func tickDuration(v float64) string {
	s := bench.FormatDuration(time.Duration(math.Round(v * 1e9)))
	num, unit, _ := strings.Cut(s, " ")
	if strings.Contains(num, ".") {
		num = strings.TrimRight(strings.TrimRight(num, "0"), ".")
	}
	return num + " " + unit
}
