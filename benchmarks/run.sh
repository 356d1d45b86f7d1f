#!/usr/bin/env bash
# Builds the benchmark jar, runs the C reference kernels of ../shared/perf-ref and the JMH
# benchmarks in the same run, and prints a table of figures, references and ratios.
#
#   benchmarks/run.sh                 # everything (about 12 minutes on 2 cores)
#   benchmarks/run.sh Rerank          # only benchmarks whose name matches the JMH regex
#
# Output: benchmarks/results/<stamp>-jmh.json, <stamp>-jmh.log, <stamp>-cref.txt, <stamp>-summary.md
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
perf="${CBMIR_PERF_REF:-$root/../shared/perf-ref}"
export CBMIR_SHARED_DATA="${CBMIR_SHARED_DATA:-$root/../shared/data}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$here/results"
mkdir -p "$out"

find_java() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -x "$c/bin/java" ] || continue
    local v
    v="$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    if [ "${v%%.*}" -ge 21 ] 2>/dev/null; then echo "$c/bin/java"; return; fi
  done
  echo "no JDK >= 21 found (set JAVA_HOME)" >&2; exit 1
}
java="$(find_java)"

(cd "$root" && mvn -B -q package -DskipTests -pl benchmarks -am)

cref="$out/$stamp-cref.txt"
: > "$cref"
if [ -d "$perf" ] && ! grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  echo "this CPU has no AVX-512: the C reference kernels of $perf (AVX-512) are left out" | tee "$cref"
elif [ -d "$perf" ]; then
  tmp="$(mktemp -d)"
  gcc -O3 -march=native -fopenmp "$perf/bw.c" -o "$tmp/bw"
  gcc -O3 -march=native -fopenmp "$perf/ham.c" -o "$tmp/ham"
  gcc -O3 -march=native "$perf/l2.c" -o "$tmp/l2"
  {
    "$tmp/bw" 80 9 1
    for n in 1000000 10000000; do
      for k in rad_v rad_s; do "$tmp/ham" $n 1 9 1 $k; "$tmp/ham" $n 2 9 1 $k; done
    done
    "$tmp/ham" 10000000 1 9 1 top_v
    "$tmp/ham" 10000000 1 9 1 top_s
    for d in 256 512; do "$tmp/l2" $d 4096 9 avx512; "$tmp/l2" $d 4096 9; done
  } | tee -a "$cref"
  rm -rf "$tmp"
else
  echo "no C reference kernels at $perf: ratios to the hardware limit are left out" | tee "$cref"
fi

# The PyTorch peer of ModelBenchmark (Debian's python3-torch), when installed.
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 "$root/training/bench_torch.py" | tee -a "$cref"
fi

# FAISS (Debian's python3-faiss) on the very codes of HammingTopBenchmark, when installed.
if /usr/bin/python3 -c "import faiss" 2>/dev/null && [[ "HammingTopBenchmark" =~ ${1:-.*} ]]; then
  tmp="$(mktemp -d)"
  "$java" -cp "$here/target/benchmarks.jar" org.cbmir.benchmarks.DumpCodes 10000000 64 \
    "$tmp/codes.u64" "$tmp/queries.u64"
  /usr/bin/python3 "$here/faiss_peer.py" "$tmp/codes.u64" "$tmp/queries.u64" | tee -a "$cref"
  rm -rf "$tmp"
fi

"$java" -jar "$here/target/benchmarks.jar" "${1:-.*}" \
  -rf json -rff "$out/$stamp-jmh.json" 2>&1 | tee "$out/$stamp-jmh.log"

{
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $("$java" -version 2>&1 | head -1)"
  echo
  python3 "$here/summarize.py" "$out/$stamp-jmh.json" "$cref" "$out/$stamp-jmh.log"
} | tee "$out/$stamp-summary.md"
