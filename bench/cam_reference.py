#!/usr/bin/python3
"""PyTorch side of bench/cam_bench.cpp: the same four methods on the same weights and images, with
torch.set_num_threads equal to camlab's, then both timings, their ratio, and how far apart the maps
are.

    OMP_NUM_THREADS=2 ./cam_bench /tmp/cam_bench     # writes weights, inputs, maps, camlab.csv
    python3 bench/cam_reference.py /tmp/cam_bench

The formulas are written here (as in tools/make_cam_fixtures.py), not imported from
pytorch-grad-cam; Score-CAM and Ablation-CAM batch their 64·64 extra forwards by 128, as camlab.
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

IMAGES, SIZE, BATCH = 64, 28, 128
LAYER = "relu4"


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
        ours = {row["method"]: (float(row["images_per_s"]), int(row["threads"])) for row in csv.DictReader(f)}
    threads = next(iter(ours.values()))[1]
    torch.set_num_threads(threads)

    net = fmnist_gapnet().eval()
    with h5py.File(os.path.join(directory, "checkpoint.h5"), "r") as h5:
        net.load_state_dict({key: torch.from_numpy(h5["model"][key][()]) for key in h5["model"]})
    x = torch.from_numpy(np.fromfile(os.path.join(directory, "inputs.f32"), dtype=np.float32))
    x = x.reshape(IMAGES, 1, SIZE, SIZE)

    methods = [("gradcam", 5, lambda: gradient_cam(net, x, False)),
               ("gradcam++", 5, lambda: gradient_cam(net, x, True)),
               ("scorecam", 2, lambda: score_cam(net, x)),
               ("ablationcam", 2, lambda: ablation_cam(net, x))]
    print(f"{threads} threads (torch {torch.__version__}), {IMAGES} images {SIZE}x{SIZE}, "
          f"fmnist-gapnet, layer {LAYER}; images/s, best of several runs")
    print(f"  {'method':<12} {'camlab':>10} {'pytorch':>10} {'camlab/pytorch':>15} {'max |maps diff|':>16}")
    for name, repetitions, run in methods:
        seconds, maps = best_seconds(repetitions, run)
        theirs = IMAGES / seconds
        ours_maps = np.fromfile(os.path.join(directory, name + ".f32"), dtype=np.float32)
        diff = np.abs(ours_maps.reshape(maps.shape) - maps.numpy()).max()
        print(f"  {name:<12} {ours[name][0]:>10.1f} {theirs:>10.1f} {ours[name][0] / theirs:>15.2f} {diff:>16.2e}")


if __name__ == "__main__":
    main()
