#!/usr/bin/env bash
# Kill-and-resume soak: SIGKILLs `camlab train` at random moments (and right as checkpoint.h5 or
# metrics.csv is being replaced or appended), resumes it each time, and checks that the final
# weights are bit-identical to an uninterrupted run's and that metrics.csv has every epoch once.
#
#   bash scripts/soak-resume.sh                       # 20 kills on tiny-synthetic, 6 epochs
#   bash scripts/soak-resume.sh --kills 3 --epochs 3  # the short version CTest runs (soak.resume)
#
# Options: --kills N, --epochs E, --config FILE, --work DIR (default: a fresh mktemp -d),
#          --camlab PATH (build/camlab), --diff PATH (build/tests/checkpoint_diff), --seed S,
#          --set KEY=VALUE (repeatable, passed to every `camlab train`).
# Exit status 0 when every check passes; otherwise 1 and a line naming what failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
kills=20
epochs=6
config="$root/experiments/configs/tiny-synthetic.toml"
work=""
camlab="$root/build/camlab"
diff_tool="$root/build/tests/checkpoint_diff"
seed=$$
extra_sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --camlab) camlab=$2; shift 2 ;;
    --diff) diff_tool=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --set) extra_sets+=(--set "$2"); shift 2 ;;
    *) echo "soak-resume: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
for tool in "$camlab" "$diff_tool"; do
  [ -x "$tool" ] || { echo "soak-resume: $tool is not built (cmake --build build)" >&2; exit 2; }
done
keep_work=1
[ -n "$work" ] || { work=$(mktemp -d /tmp/camlab-soak.XXXXXX); keep_work=0; }
mkdir -p "$work"
RANDOM=$seed
fail() { echo "soak-resume: FAIL: $*" >&2; exit 1; }

# One worker thread and no prefetch thread: the runs must be deterministic to compare bits.
train_args=(--set "train.epochs=$epochs" --set data.workers=0 "${extra_sets[@]}")
export OMP_NUM_THREADS=1

# 1. The uninterrupted reference, timed to choose kill moments inside a run's lifetime.
start=$(date +%s%N)
"$camlab" train "$config" "${train_args[@]}" --out "$work/ref" > "$work/ref.log" 2>&1 ||
  fail "the uninterrupted run failed; see $work/ref.log"
run_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "soak-resume: reference run took ${run_ms} ms ($epochs epochs) in $work/ref"

# Kills the process as soon as `condition` holds (polled about every millisecond), or once
# `limit_ms` milliseconds have passed.
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
kill_when() {
  local pid=$1 deadline=$(($(now_ms) + $2)) condition=$3
  while kill -0 "$pid" 2> /dev/null && [ "$(now_ms)" -lt "$deadline" ]; do
    if eval "$condition"; then break; fi
    sleep 0.001
  done
  kill -KILL "$pid" 2> /dev/null || true
}

# 3. A finished soaked run against the reference: bit-identical weights and optimizer state;
# metrics.csv with epochs 1..E once each and deterministic columns equal to the reference's.
deterministic() {  # epoch, train/test loss and accuracy, lr: not the timing columns
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
           { print $col["epoch"], $col["train_loss"], $col["train_accuracy"], $col["test_loss"],
                   $col["test_accuracy"], $col["lr"] }' "$1"
}
verify() {
  "$diff_tool" "$work/ref/checkpoint.h5" "$soak/checkpoint.h5" > /dev/null ||
    fail "final checkpoints differ"
  local seen expected
  seen=$(deterministic "$soak/metrics.csv" | awk '{ print $1 }' | tr '\n' ' ')
  expected=$(seq 1 "$epochs" | tr '\n' ' ')
  [ "$seen" = "$expected" ] || fail "metrics.csv epochs are '$seen', expected '$expected'"
  [ "$(deterministic "$work/ref/metrics.csv")" = "$(deterministic "$soak/metrics.csv")" ] ||
    fail "metrics.csv rows differ from the uninterrupted run's"
}

# 2. The soaked run: started, killed, resumed until it finishes. A run that finishes before all
# kills are spent is verified, then a fresh one takes the remaining kills.
soak="$work/soak"
done_kills=0
attempts=0
verified=0
modes=(random checkpoint metrics)
while true; do
  attempts=$((attempts + 1))
  [ "$attempts" -le $((kills * 4 + 10)) ] || fail "no finished run after $attempts starts"
  resume=()
  [ -f "$soak/run_info.json" ] && resume=(--resume)
  "$camlab" train "$config" "${train_args[@]}" --out "$soak" "${resume[@]}" \
    >> "$work/soak.log" 2>&1 &
  pid=$!
  if [ "$done_kills" -lt "$kills" ]; then
    mode=${modes[$((done_kills % 3))]}
    csv_size=$(stat -c %s "$soak/metrics.csv" 2> /dev/null || echo 0)
    case "$mode" in
      random) kill_when "$pid" $((RANDOM % (run_ms + 1))) false ;;
      checkpoint) kill_when "$pid" $((run_ms * 2)) "[ -e '$soak/checkpoint.h5.tmp' ]" ;;
      metrics) kill_when "$pid" $((run_ms * 2)) \
        "[ \"\$(stat -c %s '$soak/metrics.csv' 2> /dev/null || echo 0)\" != '$csv_size' ]" ;;
    esac
  fi
  if wait "$pid"; then status=0; else status=$?; fi
  if [ "$status" -eq 137 ]; then
    done_kills=$((done_kills + 1))
    echo "soak-resume: kill $done_kills/$kills ($mode)"
    continue
  fi
  [ "$status" -eq 0 ] || fail "camlab train exited $status after $done_kills kills; see $work/soak.log"
  grep -q '"status": *"finished"' "$soak/run_info.json" || fail "exit 0 but the run is not finished"
  verify
  verified=$((verified + 1))
  [ "$done_kills" -ge "$kills" ] && break
  rm -rf "$soak"
done

echo "soak-resume: PASS: $done_kills/$kills kills resumed over $verified finished run(s), each" \
  "bit-identical to the uninterrupted one with epochs 1..$epochs once in metrics.csv" \
  "($attempts starts)"
# A work dir of our own is removed after a pass; one given with --work, or any failure, stays.
[ "$keep_work" -eq 1 ] || rm -rf "$work"
