package devtest

import "strings"

// KernelNames lists the functions marked KERNEL in a device program's
// source (the last word before the parenthesis: "KERNEL void MSM_BOUNDS
// f(" is f), for tests that look for each kernel in what a compiler made
// of the source.
func KernelNames(src string) []string {
	var names []string
	for _, part := range strings.Split(src, "KERNEL void ")[1:] {
		if i := strings.IndexByte(part, '('); i > 0 {
			if f := strings.Fields(part[:i]); len(f) > 0 {
				names = append(names, f[len(f)-1])
			}
		}
	}
	return names
}
