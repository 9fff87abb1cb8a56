#!/usr/bin/env bash
# Compiles every device program's OpenCL GPU form with Intel's OpenCL
# compiler (IGC), offline, for an Intel Arc / Data Center Flex GPU (dg2):
# gpu's TestIntelGPUCompile, through ocloc. No Intel GPU is needed.
#
# It fetches Debian's intel-opencl-icd (which ships ocloc) and the
# compiler libraries it loads into a folder, without installing them
# (installing would register an OpenCL platform on this machine), and
# runs ocloc from there:
#
#   scripts/intel-ocloc.sh               every program (IGC takes minutes over an MSM program)
#   scripts/intel-ocloc.sh 'keccak|ntt/'  the programs whose keys REGEXP matches
#
# ZKACCEL_INTEL_DIR is the folder (default: zkaccel's cache folder).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${ZKACCEL_INTEL_DIR:-${ZKACCEL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zkaccel}/intel-ocloc}
root=$dir/root
libs=$root/usr/lib/x86_64-linux-gnu
if [ ! -x "$root/usr/bin/ocloc" ]; then
	pkgs=(intel-opencl-icd libigc1 libigdfcl1 libigdgmm12 libopencl-clang14 libllvmspirvlib14)
	# Debian's IGC loads LLVM 14 through opencl-clang; fetch it where the
	# machine lacks it.
	ldconfig -p | grep -q 'libLLVM-14\.so' || pkgs+=(libllvm14)
	ldconfig -p | grep -q 'libclang-cpp\.so\.14' || pkgs+=(libclang-cpp14)
	mkdir -p "$dir/debs"
	(cd "$dir/debs" && apt-get download "${pkgs[@]}") || {
		echo "intel-ocloc.sh: apt-get download ${pkgs[*]} failed (apt-get update first?)" >&2
		exit 1
	}
	for f in "$dir"/debs/*.deb; do dpkg -x "$f" "$root"; done
fi
# ocloc and the libraries it loads, from the folder only.
cat >"$dir/ocloc" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$libs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$root/usr/bin/ocloc" "\$@"
WRAP
chmod +x "$dir/ocloc"
ZKACCEL_OCLOC="$dir/ocloc" ZKACCEL_INTEL_PROGRAMS="${1:-}" go test -count=1 -v -timeout 2h -run '^TestIntelGPU' ./gpu/
