package bench

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// MachineLabels names the machine of each file for tables and charts: its
// hostname, with " (2)", " (3)", … added to later files from a host already
// named, so that each file's label is distinct.
func MachineLabels(files []*File) []string {
	labels := make([]string, len(files))
	count := map[string]int{}
	for i, f := range files {
		host := f.Machine.Hostname
		if host == "" {
			host = "unknown"
		}
		count[host]++
		labels[i] = host
		if n := count[host]; n > 1 {
			labels[i] = fmt.Sprintf("%s (%d)", host, n)
		}
	}
	return labels
}

// WriteSettings writes, for each of files measured under ZKACCEL_*
// settings (File.Env) or without timing the CPU (File.CPU), a Markdown
// line naming its label (labels, one per file) and the settings, so that
// tables whose rows name files by label can be read.
func WriteSettings(w io.Writer, files []*File, labels []string) error {
	bw := bufio.NewWriter(w)
	writeSettings(bw, files, labels)
	return bw.Flush()
}

func writeSettings(bw *bufio.Writer, files []*File, labels []string) {
	for i, f := range files {
		if len(f.Env) == 0 && f.CPU == "" || i >= len(labels) {
			continue
		}
		keys := slices.Sorted(maps.Keys(f.Env))
		for j, k := range keys {
			keys[j] = "`" + k + "=" + f.Env[k] + "`"
		}
		if f.CPU == CPUCheck {
			keys = append(keys, "the CPU not timed (`--cpu check`: it only computed the answers checked against)")
		}
		fmt.Fprintf(bw, "Settings of %s (%s): %s\n\n", labels[i], f.Date, strings.Join(keys, ", "))
	}
}

// WriteMarkdown renders files, e.g. from different machines, as Markdown: a
// table of the machines (CPU, memory, OS, Go version, zkaccel commit, date),
// then one table of every measurement with columns machine, device, op,
// curve/field, size, median, hashes/s (shown only when some file measured
// a hash op; see Result.ItemsPerSecond), and speed-up against the CPU row
// of the same file and size. A device that fell back to the CPU is marked so, and a
// failed measurement shows FAILED with its error listed below.
func WriteMarkdown(w io.Writer, files []*File) error {
	bw := bufio.NewWriter(w)
	labels := MachineLabels(files)
	fmt.Fprintln(bw, "### Machines")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "| machine | CPU | memory | OS/arch | Go | zkaccel commit | date | devices |")
	fmt.Fprintln(bw, "|---|---|---|---|---|---|---|---|")
	for i, f := range files {
		var devs []string
		for _, d := range f.Devices {
			dev := fmt.Sprintf("%s: %s", d.Spec, d.Name)
			if d.Driver != "" {
				dev += " (" + d.Driver + ")"
			}
			devs = append(devs, dev)
		}
		m := f.Machine
		cpu := m.CPU
		if len(m.Features) > 0 {
			cpu += " (" + strings.Join(m.Features, ", ") + ")"
		}
		mdRow(bw, labels[i], cpu, FormatGiB(m.Memory), m.OS+"/"+m.Arch, f.GoVersion, f.Commit, f.Date, strings.Join(devs, "; "))
	}
	fmt.Fprintln(bw)
	writeSettings(bw, files, labels)
	fmt.Fprintln(bw, "### Results")
	fmt.Fprintln(bw)
	rates, times, power, phases := hasRates(files...), hasDeviceTimes(files...), hasPower(files...), hasPhases(files...)
	proj, mem := hasProjections(files...), hasMemory(files...)
	head, align := "| machine | device | op | curve/field | size | median |", "|---|---|---|---|---:|---:|"
	if rates {
		head, align = head+" items/s |", align+"---:|"
	}
	if times {
		head, align = head+" on device (kernels + copies) |", align+"---:|"
	}
	if mem {
		head, align = head+" device memory |", align+"---:|"
	}
	if power {
		head, align = head+" power, energy/call |", align+"---:|"
	}
	if proj {
		head, align = head+" device cycles (projected) |", align+"---:|"
	}
	head, align = head+" speed-up vs cpu |", align+"---:|"
	if phases {
		head, align = head+" phases |", align+"---|"
	}
	fmt.Fprintln(bw, head)
	fmt.Fprintln(bw, align)
	var errs, kernels []string
	for i, f := range files {
		for j := range f.Results {
			r := &f.Results[j]
			if c := kernelsCell(r, 6); c != "-" {
				kernels = append(kernels, fmt.Sprintf("%s, %s, %s %s 2^%d: %s", labels[i], r.Device, r.OpLabel(), r.Target, r.LogN, c))
			}
			median := "-"
			if len(r.Times) > 0 {
				median = FormatDuration(r.Median)
			}
			if r.Error != "" {
				median = "FAILED"
				errs = append(errs, fmt.Sprintf("%s, %s: %s", labels[i], r.Device, r.Error))
			}
			cells := []string{labels[i], deviceCell(r), r.OpLabel(), r.Target, fmt.Sprintf("2^%d", r.LogN), median}
			if rates {
				cells = append(cells, rateCell(r))
			}
			if times {
				cells = append(cells, deviceTimeCell(r))
			}
			if mem {
				cells = append(cells, memoryCell(r))
			}
			if power {
				cells = append(cells, powerCell(r))
			}
			if proj {
				cells = append(cells, projectedCell(r))
			}
			cells = append(cells, speedUpCell(f, r))
			if phases {
				cells = append(cells, phasesCell(r))
			}
			mdRow(bw, cells...)
		}
	}
	mdList(bw, "Kernels, per call (device time, share of the kernels' total):", kernels)
	mdList(bw, "Failed measurements:", errs)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("zkaccel bench: writing markdown: %w", err)
	}
	return nil
}

// mdList writes a titled bullet list of items, escaped, after a blank
// line; nothing when there are none.
func mdList(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n\n", title)
	for _, it := range items {
		fmt.Fprintf(w, "- %s\n", mdEscape(it))
	}
}

// mdRow writes one table row, escaping each cell.
func mdRow(w io.Writer, cells ...string) {
	for i := range cells {
		cells[i] = mdEscape(cells[i])
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}

// mdEscape makes s safe inside a Markdown table cell: one line, with pipes
// escaped.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}
