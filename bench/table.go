package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes f's results as an aligned text table, one row per
// measurement: op, curve/field, size, device, median, min, max, runs,
// hashes per second (a column shown only when f measured a hash op; see
// Result.ItemsPerSecond), the device's own timing of its kernels and
// copies, its peak memory and its power and energy per call (columns shown
// only when some device reported them), and speed-up against the CPU row of the same size. Failed measurements are listed after the table, and so are the
// reasons of fallbacks.
func WriteTable(w io.Writer, f *File) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rates, times, power, proj, mem := hasRates(f), hasDeviceTimes(f), hasPower(f), hasProjections(f), hasMemory(f)
	head := "OP\tCURVE/FIELD\tSIZE\tDEVICE\tMEDIAN\tMIN\tMAX\tRUNS\t"
	if rates {
		head += "ITEMS/S\t"
	}
	if times {
		head += "ON DEVICE (KERNELS + COPIES)\t"
	}
	if mem {
		head += "DEVICE MEMORY\t"
	}
	if power {
		head += "POWER, ENERGY/CALL\t"
	}
	if proj {
		head += "DEVICE CYCLES (PROJECTED)\t"
	}
	fmt.Fprintln(tw, head+"SPEED-UP VS CPU")
	var notes []string
	for i := range f.Results {
		r := &f.Results[i]
		median, lo, hi := "-", "-", "-"
		if len(r.Times) > 0 {
			median, lo, hi = FormatDuration(r.Median), FormatDuration(r.Min), FormatDuration(r.Max)
		}
		if r.Error != "" {
			median = "FAILED"
			notes = append(notes, "error: "+r.Error)
		}
		if c := phasesCell(r); c != "-" {
			notes = append(notes, fmt.Sprintf("phases of %s %s 2^%d on %s: %s", r.OpLabel(), r.Target, r.LogN, r.Device, c))
		}
		if c := kernelsCell(r, 6); c != "-" {
			notes = append(notes, fmt.Sprintf("kernels of %s %s 2^%d on %s, per call: %s", r.OpLabel(), r.Target, r.LogN, r.Device, c))
		}
		if r.Fallback {
			note := fmt.Sprintf("%s fell back to cpu: %s", r.Device, r.FallbackReason)
			if !contains(notes, note) {
				notes = append(notes, note)
			}
		}
		if r.DeviceResets > 0 {
			notes = append(notes, fmt.Sprintf("%s was reset %d× during %s %s 2^%d: its programs and tables were lost and loaded again, so its times are not a steady device's", r.Device, r.DeviceResets, r.OpLabel(), r.Target, r.LogN))
		}
		fmt.Fprintf(tw, "%s\t%s\t2^%d\t%s\t%s\t%s\t%s\t%d\t",
			r.OpLabel(), r.Target, r.LogN, deviceCell(r), median, lo, hi, len(r.Times))
		if rates {
			fmt.Fprintf(tw, "%s\t", rateCell(r))
		}
		if times {
			fmt.Fprintf(tw, "%s\t", deviceTimeCell(r))
		}
		if mem {
			fmt.Fprintf(tw, "%s\t", memoryCell(r))
		}
		if power {
			fmt.Fprintf(tw, "%s\t", powerCell(r))
		}
		if proj {
			fmt.Fprintf(tw, "%s\t", projectedCell(r))
		}
		fmt.Fprintf(tw, "%s\n", speedUpCell(f, r))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("zkaccel bench: writing table: %w", err)
	}
	for _, n := range notes {
		if _, err := fmt.Fprintln(w, strings.ReplaceAll(n, "\n", " ")); err != nil {
			return fmt.Errorf("zkaccel bench: writing table: %w", err)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
