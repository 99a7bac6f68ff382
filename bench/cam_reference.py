#!/usr/bin/python3
"""PyTorch side of bench/cam_bench.cpp: the same methods on the same weights and images, with
torch.set_num_threads equal to camlab's and denormals flushed (as camlab does), then both timings,
their ratio, and how far apart the display maps are.

    OMP_NUM_THREADS=2 build/bench/cam_bench /tmp/cam_bench     # weights, inputs, maps, camlab.csv
    OMP_NUM_THREADS=2 build/bench/cam_bench /tmp/cam_bench fem,dff   # or only some methods
    python3 bench/cam_reference.py /tmp/cam_bench               # times what camlab.csv lists

Methods: gradcam, gradcam++, scorecam, ablationcam; fullgrad, kpcacam, finercam, shapleycam, fem,
segeigencam, sscam, fasterscorecam, dff, each with camlab's defaults (docs/cam.md). The formulas
are written in PyTorch here or imported from the fixture generators (tools/make_cam_fixtures.py,
make_fullgrad_fixtures.py, make_shapley_fixture.py, which the tests compare camlab against), the
way pytorch-grad-cam computes them; pytorch-grad-cam itself is not imported. Score-CAM,
Ablation-CAM, Faster Score-CAM and SS-CAM batch their extra forwards by 128, as camlab. Each
method is timed as camlab times it: one warm-up call, then the best of the repetitions camlab.csv
gives. SS-CAM (noise) and DFF (random NMF start) draw random numbers that cannot be the same
draws on both sides, so their maps are not compared.
"""
import collections
import csv
import os
import sys
import time

try:
    import h5py
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

# The fixture generators' formulas that take any network with hooks (tools/ is not a package).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import make_cam_fixtures as fixtures  # noqa: E402
import make_fullgrad_fixtures as fullgrad_fixtures  # noqa: E402
import make_shapley_fixture as shapley_fixture  # noqa: E402

IMAGES, SIZE, BATCH = 64, 28, 128
LAYER = "relu4"
# camlab's defaults (cam/methods/*_options.h, docs/cam.md)
FASTER_TOP_K = 10                 # FasterScoreCamOptions::top_k
SSCAM_SAMPLES, SSCAM_SIGMA = 35, 2.0   # SsCamOptions
FINER_ALPHA, FINER_COMPARISONS = 1.0, 3  # FinerCamOptions
DFF_CONCEPTS, DFF_ITERATIONS = 5, 200    # DffOptions
RANDOM = {"sscam": "noise draws", "dff": "NMF start draws"}  # maps not comparable


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean((2, 3))


def fmnist_gapnet():
    def conv(i, o):
        return nn.Conv2d(i, o, 3, padding=1)
    return nn.Sequential(collections.OrderedDict([
        ("conv1", conv(1, 32)), ("relu1", nn.ReLU()), ("conv2", conv(32, 32)), ("relu2", nn.ReLU()),
        ("pool", nn.MaxPool2d(2)), ("conv3", conv(32, 64)), ("relu3", nn.ReLU()),
        ("conv4", conv(64, 64)), ("relu4", nn.ReLU()), ("gap", GlobalAvgPool()),
        ("fc", nn.Linear(64, 10))]))


def capture(net, x):
    out = {}
    handle = getattr(net, LAYER).register_forward_hook(lambda m, i, o: out.__setitem__("a", o))
    try:
        logits = net(x)
    finally:
        handle.remove()
    return logits, out["a"]


def logit(logits, classes):
    return logits.gather(1, classes[:, None])[:, 0]


def to_maps(raw, size=SIZE):
    """[N, h, w] raw maps -> [N, size, size]: bilinear up, min-max per image (constant maps: 0)."""
    up = F.interpolate(raw[:, None], size=(size, size), mode="bilinear", align_corners=False)[:, 0]
    flat = up.reshape(up.shape[0], -1)
    lo, hi = flat.min(1).values[:, None, None], flat.max(1).values[:, None, None]
    span = hi - lo
    return torch.where(span > 0, (up - lo) / torch.where(span > 0, span, torch.ones_like(span)),
                       torch.zeros_like(up))


def cam_from_weights(w, a):
    return (w[:, :, None, None] * a).sum(1).clamp(min=0)


def gradient_cam(net, x, plus_plus):
    logits, a = capture(net, x)
    classes = logits.argmax(1)
    (g,) = torch.autograd.grad(logit(logits, classes).sum(), [a])
    a, g = a.detach(), g.detach()
    if not plus_plus:
        return to_maps(cam_from_weights(g.mean((2, 3)), a))
    g2 = g * g
    alpha = g2 / (2 * g2 + a.sum((2, 3), keepdim=True) * g2 * g + 1e-6)
    alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
    return to_maps(cam_from_weights((alpha * g.clamp(min=0)).sum((2, 3)), a))


def score_cam(net, x):
    with torch.no_grad():
        logits, a = capture(net, x)
        classes = logits.argmax(1)
        n, k = a.shape[:2]
        per_channel = a.reshape(n * k, 1, *a.shape[2:])
        scores = []
        for start in range(0, n * k, BATCH):
            rows = torch.arange(start, min(start + BATCH, n * k))
            up = F.interpolate(per_channel[rows], size=(SIZE, SIZE), mode="bilinear", align_corners=True)
            lo, hi = up.amin((2, 3), keepdim=True), up.amax((2, 3), keepdim=True)
            masks = (up - lo) / (hi - lo + 1e-8)
            scores.append(logit(net(x[rows // k] * masks), classes[rows // k]))
        w = torch.cat(scores).reshape(n, k).softmax(1)
    return to_maps(cam_from_weights(w, a))


def ablation_cam(net, x):
    with torch.no_grad():
        logits, a = capture(net, x)
        classes = logits.argmax(1)
        y = logit(logits, classes)
        n, k = a.shape[:2]
        state = {}
        handle = getattr(net, LAYER).register_forward_hook(lambda m, i, o: o * state["mask"])
        scores = []
        try:
            for start in range(0, n * k, BATCH):
                rows = torch.arange(start, min(start + BATCH, n * k))
                mask = torch.ones(len(rows), k, 1, 1)
                mask[torch.arange(len(rows)), rows % k] = 0
                state["mask"] = mask
                scores.append(logit(net(x[rows // k]), classes[rows // k]))
        finally:
            handle.remove()
        w = (y[:, None] - torch.cat(scores).reshape(n, k)) / y[:, None]
    return to_maps(cam_from_weights(w, a))


def predicted_logit(logits, _classes):
    """The default target: each image's top logit (classes from the same forward)."""
    return logit(logits, logits.argmax(1))


def finer_cam(net, x):
    """Zhang et al. 2025 as pytorch-grad-cam's finer_cam.py / FinerWeightedTarget: Grad-CAM of the
    contrast with the 3 classes whose logits are closest to the predicted one's."""
    score = lambda logits, _: fixtures.finer_score(logits, logits.argmax(1), FINER_ALPHA,
                                                   FINER_COMPARISONS)
    raw, _ = fixtures.gradient_cam(net, x, LAYER, None, "gradcam", score=score)
    return to_maps(raw)


def shapley_cam(net, x):
    """Cai et al. 2025 as pytorch-grad-cam's shapley_cam.py: w = mean(g - 0.5 H·A), H·A by double
    backward. On this ReLU net with a logit target H·A = 0 and the map is Grad-CAM's."""
    raw, _, _ = shapley_fixture.shapley_cam(net, x, LAYER, None, predicted_logit)
    return to_maps(raw)


def fem(net, x):
    """Fuad et al. 2020 as pytorch-grad-cam's fem.py: w_k = share of positions above mu + 2 sigma."""
    raw, _ = fixtures.fem(net, x, LAYER, None)
    return to_maps(raw)


def kpca_cam(net, x):
    """Karmani et al. 2024 as pytorch-grad-cam's kpca_cam.py (scikit-learn KernelPCA, sigmoid kernel,
    gamma 1/K, coef0 1), here as the top eigenpair of the centred kernel matrix by torch.linalg.eigh.
    The sign is camlab's Eigen-CAM rule (positive correlation with the channel mean); scikit-learn's
    is arbitrary, so pytorch-grad-cam's own map may be this one's negative before the ReLU. The
    kernel matrix and eigh run in float32, as scikit-learn does on pytorch-grad-cam's float32
    activations; camlab finds the top eigenpair in double (cam/methods/top_eigenpair.cpp), so the
    maps differ by float32 rounding of the eigenvector (about 3e-3 here; with this eigh in float64
    the difference is about 1e-6)."""
    raw, _ = fixtures.kpca_cam(net, x, LAYER, None)
    return to_maps(raw)


def seg_eigen_cam(net, x):
    """Chung & Ying 2025 as pytorch-grad-cam's seg_eigen_cam.py: Eigen-CAM of |g| * A (full SVD as
    np.linalg.svd(full_matrices=True) there), sign flipped where |min p| > |max p|, ReLU
    (tools/make_fullgrad_fixtures.py, the fixture's own formula)."""
    return to_maps(fullgrad_fixtures.seg_eigen_cam(net, x, LAYER, None))


def full_grad(net, x):
    """Srinivas & Fleuret 2019 as pytorch-grad-cam's fullgrad_cam.py (tools/make_fullgrad_fixtures.py
    at any input size): per-channel min-max of |dy/dx * x| and of every conv's |b * dy/dz|, each
    resized to the input (half-pixel centres) and summed; the display map is its min-max."""
    return to_maps(fullgrad_fixtures.fullgrad(net, x, None))


def score_cam_masks(a):
    """[N, K, h, w] -> Score-CAM's masks [N, K, SIZE, SIZE] (align_corners, min-max + 1e-8)."""
    up = F.interpolate(a, size=(SIZE, SIZE), mode="bilinear", align_corners=True)
    lo, hi = up.amin((2, 3), keepdim=True), up.amax((2, 3), keepdim=True)
    return (up - lo) / (hi - lo + 1e-8)


def faster_score_cam(net, x):
    """Score-CAM on the 10 channels of largest spatial variance (ties: lower index), softmax over
    those, 0 elsewhere (not in pytorch-grad-cam; camlab follows the Faster Score-CAM README)."""
    with torch.no_grad():
        logits, a = capture(net, x)
        classes = logits.argmax(1)
        n, k = a.shape[:2]
        top = min(FASTER_TOP_K, k)
        chosen = fixtures.top_variance_channels(a, top)                             # [N, top]
        masks = score_cam_masks(a).gather(1, chosen[:, :, None, None].expand(-1, -1, SIZE, SIZE))
        masks = masks.reshape(n * top, 1, SIZE, SIZE)
        scores = []
        for start in range(0, n * top, BATCH):
            rows = torch.arange(start, min(start + BATCH, n * top))
            scores.append(logit(net(x[rows // top] * masks[rows]), classes[rows // top]))
        s = torch.cat(scores).reshape(n, top)
        w = torch.zeros(n, k).scatter(1, chosen, s.softmax(1))
    return to_maps(cam_from_weights(w, a))


def ss_cam(net, x):
    """Wang et al. 2020 (SS-CAM(1), not in pytorch-grad-cam): Score-CAM with every mask plus
    2 * N(0, 1) per pixel, the target logit averaged over 35 copies, softmax over channels. The
    N·K·35 masked inputs run in batches of 128 with fresh draws (camlab draws its own)."""
    with torch.no_grad():
        logits, a = capture(net, x)
        classes = logits.argmax(1)
        n, k = a.shape[:2]
        masks = score_cam_masks(a).reshape(n * k, 1, SIZE, SIZE)
        total = n * k * SSCAM_SAMPLES
        sums = torch.zeros(n * k)
        for start in range(0, total, BATCH):
            rows = torch.arange(start, min(start + BATCH, total))
            channel_rows = rows // SSCAM_SAMPLES                                      # image * k + ch
            noise = torch.randn(len(rows), 1, SIZE, SIZE)
            masked = x[channel_rows // k] * (masks[channel_rows] + SSCAM_SIGMA * noise)
            sums.index_add_(0, channel_rows, logit(net(masked), classes[channel_rows // k]))
        w = (sums / SSCAM_SAMPLES).reshape(n, k).softmax(1)
    return to_maps(cam_from_weights(w, a))


def dff(net, x):
    """Collins et al. 2018 as pytorch-grad-cam's deep feature factorization, with camlab's NMF
    solver (200 multiplicative updates from scikit-learn's random-init scaling; pytorch-grad-cam
    calls scikit-learn's coordinate descent): 5 concepts of the batch, each scored by fc, each
    image's map the H map of its best concept for its predicted class."""
    with torch.no_grad():
        logits, a = capture(net, x)
        classes = logits.argmax(1)
        n, c = a.shape[:2]
        draws_w = torch.randn(c, DFF_CONCEPTS)
        draws_h = torch.randn(DFF_CONCEPTS, n * a.shape[2] * a.shape[3])
        concepts, maps = fixtures.factorize(a, draws_w, draws_h, iterations=DFF_ITERATIONS)
        best = net.fc(concepts.T)[:, classes].T.argmax(1)                          # [N]
    return to_maps(maps[torch.arange(n), best])


def best_seconds(repetitions, run):
    result = run()  # warm-up
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: cam_reference.py DIR   (DIR written by cam_bench)")
    directory = sys.argv[1]
    with open(os.path.join(directory, "camlab.csv")) as f:
        ours = [(row["method"], float(row["images_per_s"]), int(row["threads"]),
                 int(row.get("repetitions") or 2)) for row in csv.DictReader(f)]
    threads = ours[0][2]
    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)  # camlab's kernels flush denormals (FTZ/DAZ)
    torch.manual_seed(0)

    net = fmnist_gapnet().eval()
    with h5py.File(os.path.join(directory, "checkpoint.h5"), "r") as h5:
        net.load_state_dict({key: torch.from_numpy(h5["model"][key][()]) for key in h5["model"]})
    x = torch.from_numpy(np.fromfile(os.path.join(directory, "inputs.f32"), dtype=np.float32))
    x = x.reshape(IMAGES, 1, SIZE, SIZE)

    methods = {"gradcam": lambda: gradient_cam(net, x, False),
               "gradcam++": lambda: gradient_cam(net, x, True),
               "scorecam": lambda: score_cam(net, x),
               "ablationcam": lambda: ablation_cam(net, x),
               "fullgrad": lambda: full_grad(net, x),
               "kpcacam": lambda: kpca_cam(net, x),
               "finercam": lambda: finer_cam(net, x),
               "shapleycam": lambda: shapley_cam(net, x),
               "fem": lambda: fem(net, x),
               "segeigencam": lambda: seg_eigen_cam(net, x),
               "sscam": lambda: ss_cam(net, x),
               "fasterscorecam": lambda: faster_score_cam(net, x),
               "dff": lambda: dff(net, x)}
    print(f"{threads} threads (torch {torch.__version__}), {IMAGES} images {SIZE}x{SIZE}, "
          f"fmnist-gapnet, layer {LAYER}; images/s, best of several runs after a warm-up")
    print(f"  {'method':<15} {'camlab':>10} {'pytorch':>10} {'camlab/pytorch':>15} {'max |maps diff|':>16}")
    for name, rate, _, repetitions in ours:
        if name not in methods:
            print(f"  {name:<15} {rate:>10.1f}   (no PyTorch reference)")
            continue
        seconds, maps = best_seconds(repetitions, methods[name])
        theirs = IMAGES / seconds
        if name in RANDOM:
            diff = f"n/a: {RANDOM[name]}"
        else:
            ours_maps = np.fromfile(os.path.join(directory, name + ".f32"), dtype=np.float32)
            diff = f"{np.abs(ours_maps.reshape(maps.shape) - maps.numpy()).max():.2e}"
        print(f"  {name:<15} {rate:>10.1f} {theirs:>10.1f} {rate / theirs:>15.2f} {diff:>16}",
              flush=True)


if __name__ == "__main__":
    main()
