#!/usr/bin/env bash
# Runs every libFuzzer harness for a bounded time and prints its execution count.
#
#   bash scripts/fuzz-all.sh                  # 180 s each, two at a time, build-fuzz/
#   bash scripts/fuzz-all.sh 600 4 build-fuzz # the issue's 10 minutes, four at a time
#   HARNESSES="png checkpoint" bash scripts/fuzz-all.sh 60
#
# Needs a -DCAMLAB_FUZZ=ON build (fuzz/CMakeLists.txt). Inputs libFuzzer finds interesting go to
# /tmp/camlab-fuzz/<harness>/ (the repo keeps only seeds and crashers); crashes, leaks, timeouts
# and out-of-memory inputs go to /tmp/camlab-fuzz/findings/ with libFuzzer's log beside them.
set -uo pipefail

seconds=${1:-180}
jobs=${2:-2}
build=${3:-build-fuzz}
root=$(cd "$(dirname "$0")/.." && pwd)
work=/tmp/camlab-fuzz
mkdir -p "$work/findings"
# The caching allocator would hide use-after-free of tensor storage from ASan. libhdf5's own leaks
# are suppressed (fuzz/lsan.supp); camlab's are not.
export CAMLAB_CPU_CACHING=0 OMP_NUM_THREADS=1
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp:print_suppressions=0"
# libhdf5 mallocs sizes read from corrupt metadata (0x4644488900000058): glibc returns NULL and
# libhdf5 reports an error; ASan's default would abort instead.
export ASAN_OPTIONS="allocator_may_return_null=1"
# The HDF5 probe (nn/h5_probe.h) gives a libhdf5 loop 1 s, well under libFuzzer's -timeout, so a
# hang it catches is an Error of the harness, not a timeout finding.
export CAMLAB_HDF5_PROBE_SECONDS=1

run_one() {
  local name=$1
  mkdir -p "$work/$name"
  # -fork=1 with -ignore_*: a crash inside a library (libhdf5 has known ones) is saved and counted
  # and fuzzing goes on, so every harness gets its full time. -rss_limit_mb: memory out of
  # proportion to a <= 64 KiB input is a finding; -timeout: a hang.
  "$root/$build/fuzz/${name}_fuzz" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="$work/findings/$name-" "$work/$name" "$root/fuzz/corpus/$name" \
    > "$work/$name.log" 2>&1
  local status=$?
  # The last progress line: "#123456: cov: ... oom/timeout/crash: 0/0/0 time: 180s ...".
  local last runs faults
  last=$(grep -E '^#[0-9]+:' "$work/$name.log" | tail -1)
  runs=$(echo "$last" | sed -E 's/^#([0-9]+):.*/\1/')
  faults=$(echo "$last" | grep -oE 'oom/timeout/crash: [0-9]+/[0-9]+/[0-9]+' || true)
  echo "$name: exit $status, ${runs:-?} executions in ${seconds} s, ${faults:-no fault counts}"
}

# HARNESSES="png idx" picks some; default all.
read -r -a names <<< "${HARNESSES:-idx idx_gzip cifar hdf5_dataset checkpoint config set indices png image onnx}"
for name in "${names[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  run_one "$name" &
done
wait
ls "$work/findings"
