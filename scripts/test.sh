#!/usr/bin/env bash
# Install dependencies, build (Release, warnings as errors) into build/ and run the whole test
# suite; check formatting. With CAMLAB_SANITIZE_RUN=1 (CI) also build build-asan/ with
# AddressSanitizer + UndefinedBehaviorSanitizer and run the suite there.
#
#   bash scripts/test.sh
#   CAMLAB_SANITIZE_RUN=1 bash scripts/test.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

JOBS="${JOBS:-$(nproc)}"
SANITIZE_RUN="${CAMLAB_SANITIZE_RUN:-0}"

# configure DIR ARGS...: Ninja when available, but never switch an existing directory's generator.
configure() {
  local dir="$1"
  shift
  local generator=()
  if [[ ! -f "$dir/CMakeCache.txt" ]] && command -v ninja >/dev/null; then
    generator=(-G Ninja)
  fi
  cmake -S . -B "$dir" "${generator[@]}" "$@"
}

run_ctest() {
  # --no-tests=error: a suite that finds no tests is a failure, not a pass.
  ctest --test-dir "$1" --output-on-failure -j "$JOBS" --timeout 900 --no-tests=error
}

bash scripts/bootstrap.sh

failed=()

configure build -DCMAKE_BUILD_TYPE=Release -DCAMLAB_WERROR=ON
cmake --build build -j "$JOBS"

if [[ "$SANITIZE_RUN" == 1 ]]; then
  # CPU only: the sanitizers do not see into CUDA kernels, and cudart needs special ASan options.
  configure build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" -DCAMLAB_SANITIZE=address,undefined \
    -DCAMLAB_WERROR=ON -DCAMLAB_CUDA=OFF -DCAMLAB_NATIVE=OFF
  cmake --build build-asan -j "$JOBS"
fi

# Formatting is checked before the tests so that ctest's summary is the last thing printed.
bash scripts/check-format.sh || failed+=(check-format)

echo "== ctest build/"
run_ctest build || failed+=("ctest build/")

if [[ "$SANITIZE_RUN" == 1 ]]; then
  echo "== ctest build-asan/"
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    run_ctest build-asan || failed+=("ctest build-asan/")
fi

if ((${#failed[@]})); then
  printf 'test.sh: FAILED: %s\n' "$(IFS=,; echo "${failed[*]}")" >&2
  exit 1
fi
