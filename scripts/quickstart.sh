#!/usr/bin/env bash
# Install dependencies, build camlab (Release, into build/), train the default Fashion-MNIST
# experiment for two epochs and write CAM figures for the misclassified test images.
#
#   bash scripts/quickstart.sh         # results in runs/quickstart/ and runs/quickstart/explain/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

JOBS="${JOBS:-$(nproc)}"

bash scripts/bootstrap.sh

# Ninja when available, but never switch the generator of an existing build directory.
generator=()
if [[ ! -f build/CMakeCache.txt ]] && command -v ninja >/dev/null; then
  generator=(-G Ninja)
fi
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$JOBS" --target camlab

set -x
build/camlab train experiments/configs/fmnist-gapnet.toml --set train.epochs=2 \
  --out runs/quickstart --force
build/camlab explain runs/quickstart --select misclassified --out runs/quickstart/explain
{ set +x; } 2>/dev/null

echo "quickstart: metrics in runs/quickstart/, CAM figures in runs/quickstart/explain/"
