#!/usr/bin/env python3
"""camlab against PyTorch on an ImageNet-scale torchvision network, in one invocation.

    python3 bench/torch_model_reference.py resnet50 --threads 2 --rounds 3
    python3 bench/torch_model_reference.py vgg16 mobilenet_v2 --threads 2 --batch 16
    python3 bench/torch_model_reference.py resnet18 --size 64 --batch 4 --quick   # seconds

For each model: torchvision builds it with random weights (seed 0: no download; speed does not
depend on the weights), exports it to ONNX (opset 13, symbolic batch) in a temporary folder, and
then, in each round,
  1. `camlab bench --model FILE.onnx --size S --batch B --threads T --json J` runs as a subprocess;
  2. PyTorch runs the same workloads on the same network with torch.set_num_threads(T) and
     torch.set_flush_denormal(True): inference at batch B under no_grad in eval mode, Grad-CAM of
     the B images at the layer camlab explained (its PyTorch module path, e.g. layer4), and
     Score-CAM of the first --scorecam-images images with the masked copies batched as camlab
     batches them.
The CAM formulas are written here in plain torch with hooks, as pytorch-grad-cam computes them
(Grad-CAM: ReLU(sum_k mean(dy/dA_k) A_k); Score-CAM: softmax over channels of the class score of
the image times each upsampled, min-max normalised channel). Timing rules are camlab's: steady-state
images/s over the timed steps after warm-up for inference; the best of several calls after one
warm-up for the CAMs. Medians over rounds, with the range of the per-round ratios.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "bench"))

import system_python  # noqa: E402

system_python.require("torch", "torchvision", "onnx")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402
from cam_reference import to_maps  # noqa: E402  (the same display maps as the fmnist bench)


def export(name, size, folder):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    path = os.path.join(folder, name + ".onnx")
    torch.onnx.export(model, torch.zeros(1, 3, size, size), path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    return model, path


def default_layer(model):
    """The module both sides explain: ResNets' last stage, else the feature extractor's output
    (what pytorch-grad-cam's examples pass as target_layers)."""
    return "layer4" if hasattr(model, "layer4") else "features"


def run_camlab(binary, path, layer, args):
    with tempfile.TemporaryDirectory() as out:
        result = pathlib.Path(out, "bench.json")
        subprocess.run([binary, "bench", "--model", path, "--size", str(args.size), "--batch",
                        str(args.batch), "--scorecam-images", str(args.scorecam_images),
                        "--layer", layer, "--threads", str(args.threads), "--json", str(result)],
                       check=True, stdout=subprocess.DEVNULL)
        return json.loads(result.read_text())


def module_at(model, layer):
    try:
        return model.get_submodule(layer)
    except AttributeError:
        sys.exit(f"--layer {layer} is not a module path of the PyTorch model")


def capture(model, module, x):
    store = {}
    handle = module.register_forward_hook(lambda m, i, o: store.__setitem__("a", o))
    try:
        logits = model(x)
    finally:
        handle.remove()
    return logits, store["a"]


def grad_cam(model, module, x):
    logits, a = capture(model, module, x)
    classes = logits.argmax(1)
    (g,) = torch.autograd.grad(logits.gather(1, classes[:, None]).sum(), [a])
    return to_maps((g.mean((2, 3), keepdim=True) * a).sum(1).clamp(min=0).detach(), x.shape[-1])


def score_cam(model, module, x, batch):
    with torch.no_grad():
        logits, a = capture(model, module, x)
        classes = logits.argmax(1)
        n, k = a.shape[:2]
        size = x.shape[-1]
        weights = torch.empty(n, k)
        for i in range(n):
            up = F.interpolate(a[i][:, None], size=(size, size), mode="bilinear",
                               align_corners=False)  # [K, 1, S, S]
            lo, hi = up.amin((2, 3), keepdim=True), up.amax((2, 3), keepdim=True)
            masks = (up - lo) / (hi - lo).clamp(min=1e-12)
            scores = []
            for start in range(0, k, batch):
                out = model(x[i:i + 1] * masks[start:start + batch])
                scores.append(out[:, classes[i]])
            weights[i] = torch.cat(scores).softmax(0)
        return to_maps((weights[:, :, None, None] * a).sum(1).clamp(min=0), size)


def best_seconds(repetitions, run):
    run()
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def torch_side(model, layer, ours):
    torch.manual_seed(4)
    x = torch.rand(*ours["input"])  # [B, C, S, S]
    spec = ours["inference"]
    with torch.no_grad():
        for _ in range(spec["warmup_steps"]):
            model(x)
        start = time.perf_counter()
        for _ in range(spec["steps"]):
            model(x)
        inference = spec["batch"] * spec["steps"] / (time.perf_counter() - start)
    module = module_at(model, layer)
    gradcam = len(x) / best_seconds(ours["gradcam"]["repetitions"], lambda: grad_cam(model, module, x))
    few = x[:ours["scorecam"]["images"]]
    scorecam = 0.0
    if len(few):
        seconds = best_seconds(ours["scorecam"]["repetitions"],
                               lambda: score_cam(model, module, few, ours["scorecam"]["batch_size"]))
        scorecam = len(few) / seconds
    return {"inference": inference, "gradcam": gradcam, "scorecam": scorecam}


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="torchvision.models names")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--scorecam-images", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--layer", default="",
                        help="module path to explain (default: layer4, else features)")
    parser.add_argument("--quick", action="store_true", help="one round")
    parser.add_argument("--camlab", default=str(ROOT / "build/camlab"))
    parser.add_argument("--json-out", help="write every round's figures here")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 1
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    report = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.models:
            model, path = export(name, args.size, folder)
            layer = args.layer or default_layer(model)
            rounds = []
            for _ in range(args.rounds):
                ours = run_camlab(args.camlab, path, layer, args)
                rounds.append((ours, torch_side(model, layer, ours)))
            report.append((name, rounds))
    print(f"camlab vs PyTorch {torch.__version__}, {args.threads} threads, images "
          f"[{args.batch}, 3, {args.size}, {args.size}], random weights, median of {args.rounds} "
          "round(s); above 1 camlab is faster")
    print(f"| {'model':<14} | {'workload':<22} | {'camlab':>9} | {'PyTorch':>9} | {'ratio':>6} | "
          f"{'range':<11} |")
    print(f"|{'-' * 16}|{'-' * 24}|{'-' * 11}|{'-' * 11}|{'-' * 8}|{'-' * 13}|")
    for name, rounds in report:
        for key, label in (("inference", "inference img/s"), ("gradcam", "Grad-CAM img/s"),
                           ("scorecam", "Score-CAM img/s")):
            ours = [o[key]["images_per_second"] for o, _ in rounds]
            theirs = [t[key] for _, t in rounds]
            if not all(theirs):
                continue
            ratios = [a / b for a, b in zip(ours, theirs)]
            print(f"| {name:<14} | {label:<22} | {median(ours):>9.2f} | {median(theirs):>9.2f} | "
                  f"{median(ratios):>6.2f} | {min(ratios):.2f}-{max(ratios):.2f}   |")
        print(f"| {name:<14} | {'camlab peak RSS MiB':<22} | "
              f"{median([o['memory']['run_peak_rss_mib'] for o, _ in rounds]):>9.0f} | "
              f"{'':>9} | {'':>6} | {'':<11} |")
    if args.json_out:
        pathlib.Path(args.json_out).write_text(json.dumps(
            [{"model": n, "rounds": [{"camlab": o, "pytorch": t} for o, t in r]}
             for n, r in report], indent=2) + "\n")


if __name__ == "__main__":
    main()
