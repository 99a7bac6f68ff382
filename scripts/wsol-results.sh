#!/usr/bin/env bash
# Regenerates every number and figure of docs/results.md: the 64x64 composite data, the two
# weakly-supervised nets (the three-stage BN net and the plain reference net), localization with
# every CAM method, seed masks and the SEC-style segmenter, and the two-object figure.
# About 2 hours of CPU on a 2-core machine; each step is skipped when its output exists, so an
# interrupted run picks up where it stopped (training itself resumes with --resume).
#
#   bash scripts/wsol-results.sh            # uses build/camlab (run scripts/quickstart.sh first)
#   CAMLAB=path/to/camlab RUNS=runs bash scripts/wsol-results.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

CAMLAB="${CAMLAB:-build/camlab}"
RUNS="${RUNS:-runs}"
# Scored images: the first 500 of the 2,000 held-out canvases for every method (Score-CAM and
# Ablation-CAM run one forward per channel per image), faithfulness on the first 200.
COUNT=500
FAITHFULNESS=200

make_data() {  # make_data OBJECTS SPLIT N SEED FILE
  [[ -f "$5" ]] && return
  "$CAMLAB" make-dataset composite --base fashion-mnist --split "$2" --canvas 64 --objects "$1" \
    --scale 0.7:1.3 --clutter 2 --n "$3" --seed "$4" --out "$5"
}

train() {  # train CONFIG RUN_DIR
  if [[ -f "$2/metrics.json" ]]; then return; fi
  if [[ -f "$2/checkpoint.h5" ]]; then
    "$CAMLAB" train "$1" --out "$2" --resume
  else
    "$CAMLAB" train "$1" --out "$2" --force
  fi
}

mkdir -p data "$RUNS"
make_data 1 train 20000 1 data/wsol64-train.h5
make_data 1 test 2000 2 data/wsol64-test.h5

train experiments/configs/wsol-fmnist64.toml "$RUNS/wsol-fmnist64"
"$CAMLAB" localize "$RUNS/wsol-fmnist64" --data data/wsol64-test.h5 --sweep --count "$COUNT" \
  --faithfulness "$FAITHFULNESS" --out "$RUNS/wsol-fmnist64/localize"
"$CAMLAB" segment "$RUNS/wsol-fmnist64" --data data/wsol64-test.h5 \
  --methods cam,gradcam++,layercam,eigencam,randomcam \
  --count "$COUNT" --train-segmenter --out "$RUNS/wsol-fmnist64/segment"

train experiments/configs/wsol-fmnist64-plain.toml "$RUNS/wsol-fmnist64-plain"
"$CAMLAB" localize "$RUNS/wsol-fmnist64-plain" --data data/wsol64-test.h5 --sweep \
  --count "$COUNT" --faithfulness 0 --methods cam,gradcam,gradcam++,layercam,scorecam \
  --out "$RUNS/wsol-fmnist64-plain/localize"

# The CAM paper's two-object figure, from the single-label net (as the paper's ImageNet net).
make_data 2 test 2000 4 data/wsol64-2obj-test.h5
"$CAMLAB" localize "$RUNS/wsol-fmnist64" --data data/wsol64-2obj-test.h5 --count 8 \
  --faithfulness 0 --methods cam --out "$RUNS/wsol-fmnist64/two-object"

# The multi-label net trained on two-object canvases.
make_data 2 train 20000 3 data/wsol64-2obj-train.h5
train experiments/configs/wsol-fmnist64-2obj.toml "$RUNS/wsol-fmnist64-2obj"
"$CAMLAB" localize "$RUNS/wsol-fmnist64-2obj" --data data/wsol64-2obj-test.h5 --count 16 \
  --faithfulness 0 --methods cam,gradcam --out "$RUNS/wsol-fmnist64-2obj/localize"

echo "tables: $RUNS/wsol-fmnist64/localize/localize.md, $RUNS/wsol-fmnist64/segment/segment.md,"
echo "        $RUNS/wsol-fmnist64-plain/localize/localize.md; figures next to them"
