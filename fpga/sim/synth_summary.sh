#!/bin/sh
# synth_summary.sh STAT... — one line per yosys stat file: the whole
# design's LUTs (LUT1–LUT6), LUTRAM cells (RAM64M8 …), flip-flops (FD*),
# DSP48E2 and block RAMs, from the totals after "design hierarchy" (or the
# one module's counts where there is no hierarchy).
for f in "$@"; do
	awk -v name="$(basename "$f" .txt | sed 's/^stat_//')" '
		/=== design hierarchy ===/ { top = 1 }
		/=== / && !/design hierarchy/ { top = 0 }
		{ if (!seen_hier || top) { if ($1 ~ /^LUT[1-6]$/) lut[FILENAME] += $2; else if ($1 ~ /^RAM(32|64|128|256)/) lutram[FILENAME] += $2; else if ($1 ~ /^FD/) ff[FILENAME] += $2; else if ($1 == "DSP48E2") dsp[FILENAME] += $2; else if ($1 ~ /^RAMB/) bram[FILENAME] += $2 } }
		/=== design hierarchy ===/ { seen_hier = 1; delete lut; delete lutram; delete ff; delete dsp; delete bram }
		END { printf "%-22s LUTs %6d  LUTRAM cells %4d  FFs %5d  DSPs %4d  BRAM %d\n", name, lut[FILENAME], lutram[FILENAME], ff[FILENAME], dsp[FILENAME], bram[FILENAME] }
	' "$f"
done
