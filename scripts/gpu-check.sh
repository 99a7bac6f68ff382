#!/usr/bin/env bash
# The GPU check of the CUDA backend, on a machine with an NVIDIA GPU: every CUDA test suite,
# compute-sanitizer (memcheck, racecheck), `camlab bench --device cuda` against PyTorch on the same
# GPU, and the reference nets trained on the GPU. Logs and a summary go to $OUT.
#
#   bash scripts/gpu-check.sh                                  # configures and builds build-gpu/
#   BUILD=build OUT=/tmp/gpu STEPS="tests bench" bash scripts/gpu-check.sh
#
# STEPS (default: all, in this order): tests bench train sanitizer suites.
#   tests      the GPU tests of every suite (kernel, gradient, method and trainer parity, ...)
#   bench      python3 bench/torch_reference.py --device cuda (PyTorch must see the GPU), with
#              PyTorch in full FP32 (3 rounds) and with its default TF32 convolutions (1 round)
#   train      the TRAIN runs (default fmnist-gapnet, 10 epochs, and fmnist-resnet, 15 epochs) on
#              the GPU, side by side, while the sanitizers run; compare with docs/results.md
#   sanitizer  compute-sanitizer memcheck on the parity suites, racecheck on the shared-memory
#              kernels (reductions, softmax, batch norm)
#   suites     every test binary whole, with the GPU present (device "auto" now picks it)
# Each step has a time limit (seconds) so one hang cannot eat the rest: LIMIT_<STEP>=N.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD="${BUILD:-build-gpu}"
OUT="${OUT:-gpu-check}"
STEPS="${STEPS:-tests bench train sanitizer suites}"
T="$BUILD/tests"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
: >"$SUMMARY"

if [[ ! -x "$BUILD/camlab" ]]; then
  # H100/H200 are sm_90 (the default); for another GPU add -DCMAKE_CUDA_ARCHITECTURES=native.
  cmake -S . -B "$BUILD" -DCAMLAB_CUDA=ON -DCMAKE_BUILD_TYPE=Release || exit 1
  cmake --build "$BUILD" -j"$(nproc)" || exit 1
fi

# run NAME LIMIT COMMAND...: the command's output to $OUT/NAME.log, its status and time to the
# summary, the log's tail to the terminal.
run() {
  local name="$1" limit="$2"
  shift 2
  local start=$SECONDS
  timeout "$limit" "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  local line
  line="$(printf '%-34s rc=%-3s %4ss' "$name" "$rc" "$((SECONDS - start))")"
  echo "$line" | tee -a "$SUMMARY"
  tail -n 12 "$OUT/$name.log" | sed 's/^/    /'
  return $rc
}

wants() { [[ " $STEPS " == *" $1 "* ]]; }

nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv | tee -a "$SUMMARY"

if wants tests; then
  run tensor-cuda "${LIMIT_TESTS:-180}" "$T/tensor_tests" --gtest_filter='Cuda*'
  run autograd-cuda "${LIMIT_TESTS:-180}" "$T/autograd_tests" --gtest_filter='CudaGradParity.*'
  run nn-cuda "${LIMIT_TESTS:-180}" "$T/nn_tests" --gtest_filter='NnCuda.*'
  run datasets-cuda "${LIMIT_TESTS:-180}" "$T/datasets_tests" --gtest_filter='DeviceBatches.*:DataLoader.Pinned*'
  run cam-cuda "${LIMIT_TESTS:-180}" "$T/cam_tests" --gtest_filter='*CudaMethodParity.*'
  run experiments-cuda "${LIMIT_TESTS:-180}" "$T/experiments_tests" --gtest_filter='Trainer.GpuRunMatchesTheCpuRun'
  run cuda-timing "${LIMIT_TESTS:-180}" "$T/tensor_tests" --gtest_also_run_disabled_tests \
    --gtest_filter='CudaTiming.*'
fi

if wants bench; then
  # Same arithmetic on both sides (full FP32), then PyTorch's default (TF32 in cuDNN convs).
  run bench-vs-pytorch "${LIMIT_BENCH:-300}" python3 bench/torch_reference.py --device cuda \
    --rounds 3 --threads 4 --camlab "$BUILD/camlab" --json-out "$OUT/bench.json"
  run bench-vs-pytorch-tf32 "${LIMIT_BENCH:-300}" python3 bench/torch_reference.py \
    --device cuda --torch-tf32 --rounds 1 --threads 4 --camlab "$BUILD/camlab"
fi

# TRAIN: space-separated NAME=CONFIG[,key=value...] runs, trained side by side on the GPU.
TRAIN="${TRAIN:-fmnist-gapnet=fmnist-gapnet fmnist-resnet=fmnist-resnet}"
train_pids=()
if wants train; then
  for entry in $TRAIN; do
    name="${entry%%=*}" rest="${entry#*=}"
    config="${rest%%,*}" sets=()
    IFS=, read -ra pairs <<<"${rest#"$config"}"
    for pair in "${pairs[@]}"; do [[ -n "$pair" ]] && sets+=(--set "$pair"); done
    run "train-$name" "${LIMIT_TRAIN:-420}" "$BUILD/camlab" train \
      "experiments/configs/$config.toml" "${sets[@]}" --device cuda --progress lines \
      --out "$OUT/runs/$name" --force &
    train_pids+=($!)
  done
fi

if wants sanitizer; then
  run memcheck-tensor "${LIMIT_SANITIZER:-240}" compute-sanitizer --tool memcheck --error-exitcode 1 "$T/tensor_tests" \
    --gtest_filter='CudaParity.*:CudaAllocator.Second*:CudaUpload.*'
  run memcheck-autograd "${LIMIT_SANITIZER:-240}" compute-sanitizer --tool memcheck --error-exitcode 1 \
    "$T/autograd_tests" --gtest_filter='CudaGradParity.*'
  run racecheck-tensor "${LIMIT_SANITIZER:-240}" compute-sanitizer --tool racecheck --error-exitcode 1 \
    "$T/tensor_tests" \
    --gtest_filter='CudaParity.Reductions*:CudaParity.LongReductions*:CudaParity.Softmax*:CudaParity.BatchNorm*'
fi

for pid in "${train_pids[@]}"; do wait "$pid"; done

if wants suites; then
  for suite in tensor autograd nn datasets cam experiments; do
    OMP_NUM_THREADS=2 run "suite-$suite" "${LIMIT_SUITES:-300}" "$T/${suite}_tests" \
      --gtest_brief=1 &
  done
  wait
fi

echo "== summary ($SUMMARY)"
cat "$SUMMARY"
! grep -q 'rc=[1-9]' "$SUMMARY"
