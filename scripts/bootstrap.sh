#!/usr/bin/env bash
# Install every Debian package camlab needs. Idempotent: when everything is already installed it
# touches neither the network nor the apt lock.
#
#   bash scripts/bootstrap.sh          # as root (or with sudo available), Debian 12
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-format
  # libraries
  libopenblas-dev libhdf5-dev libfmt-dev libboost-program-options-dev libtomlplusplus-dev
  zlib1g-dev libpng-dev libturbojpeg0-dev libstb-dev nlohmann-json3-dev libonnx-dev libprotobuf-dev
  libopenmpi-dev openmpi-bin  # data-parallel training under mpirun (docs/distributed.md)
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev chromium  # chromium: report_test's real browser
  libonnx-testdata python3-torchvision python3-onnx  # ONNX conformance and torchvision parity
  # data: Fashion-MNIST IDX files under /usr/share/datasets/fashion-mnist
  dataset-fashion-mnist
  # tools/ (PyTorch fixtures) and docs (graphs)
  python3-torch python3-h5py python3-numpy python3-pil graphviz ccache
  # the photos the end-to-end explain test reads (skimage/data/chelsea.png, coffee.png)
  python3-skimage
  # fuzz/ (-DCAMLAB_FUZZ=ON, scripts/fuzz-all.sh): clang with libFuzzer
  clang libclang-rt-14-dev
)

installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null; then
    SUDO=(sudo)
  else
    echo "bootstrap: need root to install: ${missing[*]}" >&2
    echo "bootstrap: re-run as root, or install them with your package manager" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run (unattended upgrades, a parallel bootstrap) instead of failing.
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900)

# Refresh package lists only when one of the missing packages has no install candidate
# (fresh container with empty lists, or lists too old to know a package).
need_update=0
for pkg in "${missing[@]}"; do
  cand="$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: *//p')"
  if [[ -z "$cand" || "$cand" == "(none)" ]]; then
    need_update=1
    break
  fi
done
if ((need_update)); then
  echo "bootstrap: apt-get update"
  "${APT[@]}" update -q
fi

echo "bootstrap: installing ${missing[*]}"
"${APT[@]}" install -y -q --no-install-recommends "${missing[@]}"

still=()
for pkg in "${missing[@]}"; do
  installed "$pkg" || still+=("$pkg")
done
if ((${#still[@]})); then
  echo "bootstrap: failed to install: ${still[*]}" >&2
  exit 1
fi
echo "bootstrap: done (${#missing[@]} installed, ${#PACKAGES[@]} required)"
