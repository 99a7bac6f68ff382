#!/usr/bin/env python3
"""camlab against PyTorch on the same workloads, in one run, on the same threads.

    python3 bench/torch_reference.py --threads 2                  # full run, about 2 minutes
    python3 bench/torch_reference.py --threads 2 --quick          # seconds, rough figures
    python3 bench/torch_reference.py --threads 2 --rounds 3 --json-out cmp.json   # medians
    python3 bench/torch_reference.py --mode train-run --threads 2 --images 6400   # old mode
    python3 bench/torch_reference.py --device cuda --rounds 3     # on a GPU, both sides

Default mode: runs `camlab bench --threads T --json FILE` as a subprocess, then exactly the same
workloads here in PyTorch with torch.set_num_threads(T): fmnist-gapnet training steps (SGD 0.05,
momentum 0.9, Nesterov, weight decay 5e-4, batch 64, the loss read back every step), inference at
batch 256 under no_grad in eval mode, Grad-CAM and Score-CAM (written in plain torch with hooks in
bench/cam_reference.py, imported from there) on the same number of images, the peak RSS of the
training workload, and the reference convolution (x [64, 32, 28, 28], w [32, 32, 3, 3], pad 1)
forward and backward. Warm-up and timed step counts are read from camlab's JSON, so both sides
time the same amount of work the same way: steady-state workloads as total images over total
time, one-shot calls as the best of several after one warm-up. Inputs are uniform random in both.

Memory: both sides reset the kernel's peak-RSS counter (/proc/self/clear_refs) just before the
training workload and read the peak (VmHWM, what ru_maxrss reports for a process that was not
forked from a larger one) right after it. It is the whole process's
resident set, so PyTorch's larger runtime (libtorch, MKL/oneDNN) counts against it; the table
also gives the RSS each process had just before training.

--mode train-run keeps the older comparison: one epoch of `camlab train` on real Fashion-MNIST
against the same epoch in PyTorch (train_images_per_second from metrics.json).
Fairness: on the CPU, PyTorch runs with torch.set_flush_denormal(True). Training on random
labels drives some activations into denormals, where PyTorch 1.13's oneDNN kernels run at about
half speed; camlab's kernels flush them (the AVX-512 paths set FTZ/DAZ), so without the flag the
ratio would measure denormal handling, not the frameworks.

--device cuda runs both sides on the GPU: camlab bench --device cuda, and PyTorch with the model
and every tensor on cuda:0, waiting for the GPU (torch.cuda.synchronize) before each clock read as
camlab does. Memory rows are then the peak bytes held by live tensors during each workload
(camlab's caching allocator peak; torch.cuda.max_memory_allocated), not the process RSS.

Run on a quiet machine: a load change during the run hits one side and not the other.
"""
import argparse
import gzip
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def reexec_with_system_python():
    """Debian's python3-torch lives in /usr/bin/python3's site-packages, not in pyenv's."""
    try:
        import torch  # noqa: F401
    except ImportError:
        if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
        raise


# ---- memory (Linux), as experiments/bench/peak_memory.cpp ----------------------------------

def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def status_mib(name):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return float(line.split()[1]) / 1024.0
    return None


def peak_rss_mib():
    """VmHWM; ru_maxrss (KiB on Linux) only where /proc lacks it, since ru_maxrss also keeps the
    peak of the address space before exec, which clear_refs cannot reset."""
    hwm = status_mib("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mib():
    return status_mib("VmRSS") or 0.0


# ---- the PyTorch side of each workload -----------------------------------------------------

def synchronize(device):
    """Waits for the work queued on `device` (nothing to wait for on the CPU)."""
    import torch
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def steady_images_per_second(batch, warmup, steps, step, device):
    """As time_steps in experiments/bench/workloads.cpp: untimed warm-up, then total images over
    total time of the timed steps."""
    for _ in range(warmup):
        step()
    synchronize(device)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize(device)
    return batch * steps / (time.perf_counter() - start)


def reset_device_peak(device):
    import torch
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def device_peak_mib(device):
    import torch
    return torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else 0.0


def torch_training(net, spec, device):
    import torch
    import torch.nn.functional as F
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    x = torch.rand(spec["batch"], 1, 28, 28, device=device)  # [64, 1, 28, 28]
    y = torch.randint(0, 10, (spec["batch"],), device=device)
    net.train()

    def step():
        loss = F.cross_entropy(net(x), y)
        loss.item()  # camlab's step reads the loss back too, as its trainer does
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    start_rss = current_rss_mib()
    reset = reset_peak_rss()
    reset_device_peak(device)
    rate = steady_images_per_second(spec["batch"], spec["warmup_steps"], spec["steps"], step,
                                    device)
    return rate, {"train_start_rss_mib": start_rss, "train_peak_rss_mib": peak_rss_mib(),
                  "train_peak_device_mib": device_peak_mib(device), "peak_reset": reset}


def torch_inference(net, spec, device):
    import torch
    x = torch.rand(spec["batch"], 1, 28, 28, device=device)  # [256, 1, 28, 28]
    net.eval()
    with torch.no_grad():
        return steady_images_per_second(spec["batch"], spec["warmup_steps"], spec["steps"],
                                        lambda: net(x), device)


def torch_cams(net, ours, device):
    """images/s of each method, and its peak GPU memory (0 on the CPU)."""
    import torch
    import cam_reference as ref
    assert ours["gradcam"]["layer"] == ref.LAYER, "camlab and cam_reference.py explain one layer"
    out = {}
    for name, run in (("gradcam", lambda x: ref.gradient_cam(net, x, False)),
                      ("scorecam", lambda x: ref.score_cam(net, x))):
        images = ours[name]["images"]
        x = torch.rand(images, 1, ref.SIZE, ref.SIZE, device=device)
        reset_device_peak(device)
        seconds, _ = ref.best_seconds(ours[name]["repetitions"],
                                      lambda: (run(x), synchronize(device)))
        out[name] = (images / seconds, device_peak_mib(device))
    return out


def best_timing(repetitions, run, device):
    """As best_timing in experiments/bench/workloads.cpp: one warm-up call, then the shortest wall
    time and the shortest process CPU time (all threads) of the timed calls."""
    run()
    synchronize(device)
    wall = cpu = float("inf")
    for _ in range(repetitions):
        cpu_start, start = time.process_time(), time.perf_counter()
        run()
        synchronize(device)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - cpu_start)
    return wall, cpu


def torch_conv2d(ours, device):
    """GFLOP/s of the reference convolution, each pass on its own as camlab times them, per wall
    second and per CPU-second."""
    import torch
    import torch.nn.functional as F
    torch.manual_seed(0)
    x = torch.randn(64, 32, 28, 28, device=device)  # [N, C, H, W]
    w = torch.randn(32, 32, 3, 3, device=device)    # [O, C, kh, kw]
    b = torch.randn(32, device=device)
    grad_y = torch.randn(64, 32, 28, 28, device=device)
    reps = ours["conv2d"]["repetitions"]

    def backward(mask):
        return torch.ops.aten.convolution_backward(grad_y, x, w, None, [1, 1], [1, 1], [1, 1],
                                                   False, [0, 0], 1, mask)

    with torch.no_grad():
        fwd = best_timing(reps, lambda: F.conv2d(x, w, b, padding=1), device)
        bwd_in = best_timing(reps, lambda: backward([True, False, False]), device)
        bwd_w = best_timing(reps, lambda: backward([False, True, False]), device)
    flops = ours["conv2d"]["flops_per_pass"]
    return {"forward_gflops": flops / fwd[0] * 1e-9,
            "backward_input_gflops": flops / bwd_in[0] * 1e-9,
            "backward_weight_gflops": flops / bwd_w[0] * 1e-9,
            "backward_gflops": 2 * flops / (bwd_in[0] + bwd_w[0]) * 1e-9,
            "forward_gflops_per_core": flops / fwd[1] * 1e-9,
            "backward_gflops_per_core": 2 * flops / (bwd_in[1] + bwd_w[1]) * 1e-9}


def run_camlab_bench(binary, threads, quick, device):
    with tempfile.TemporaryDirectory() as out:
        path = pathlib.Path(out, "bench.json")
        command = [binary, "bench", "--threads", str(threads), "--device", device, "--json",
                   str(path)]
        subprocess.run(command + (["--quick"] if quick else []), check=True,
                       stdout=subprocess.DEVNULL)
        return json.loads(path.read_text())


def torch_side(ours, threads, device_name, tf32=False):
    import torch
    import cam_reference as ref
    device = torch.device(device_name)
    # camlab's GPU arithmetic is full FP32 (cuBLAS default math, no TF32). PyTorch's cuDNN
    # convolutions default to TF32 tensor cores on Ampere and later: off unless --torch-tf32, so
    # that both sides do the same arithmetic.
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)  # see the module docstring: fairness on random labels
    # The same layers and names as experiments/configs/fmnist-gapnet.toml.
    net = ref.fmnist_gapnet().to(device)
    result = {"torch_version": torch.__version__, "threads": torch.get_num_threads(),
              "device": str(device), "tf32": tf32}
    if device.type == "cuda":
        result["gpu"] = torch.cuda.get_device_name(device)
    # Training first, as in camlab, so its peak RSS is not another workload's.
    result["train_images_per_second"], result["memory"] = torch_training(net, ours["train"],
                                                                         device)
    result["inference_images_per_second"] = torch_inference(net, ours["inference"], device)
    for name, (rate, peak) in torch_cams(net, ours, device).items():
        result[f"{name}_images_per_second"] = rate
        result[f"{name}_peak_device_mib"] = peak
    result["conv2d"] = torch_conv2d(ours, device)
    return result


def torch_side_in_child(ours, threads, device, tf32):
    """torch_side in a fresh interpreter, as camlab bench is a fresh process: each round's RSS
    starts from an import of torch, not from what earlier rounds left allocated."""
    with tempfile.TemporaryDirectory() as out:
        spec, result = pathlib.Path(out, "camlab.json"), pathlib.Path(out, "pytorch.json")
        spec.write_text(json.dumps(ours))
        subprocess.run([sys.executable, __file__, "--threads", str(threads), "--device", device,
                        *(["--torch-tf32"] if tf32 else []), "--worker", str(spec), str(result)],
                       check=True)
        return json.loads(result.read_text())


# ---- the table -----------------------------------------------------------------------------

def comparison_rows(ours, theirs):
    """(label, camlab, pytorch, unit) for every figure both sides have."""
    peak = ours["fma_peak"]["gflops"]
    rows = [
        (f"training step, batch {ours['train']['batch']}", ours["train"]["images_per_second"],
         theirs["train_images_per_second"], "images/s"),
        (f"inference, batch {ours['inference']['batch']}, no grad",
         ours["inference"]["images_per_second"], theirs["inference_images_per_second"], "images/s"),
    ]
    for name in ("gradcam", "scorecam"):
        rows.append((f"{name}, {ours[name]['images']} images", ours[name]["images_per_second"],
                     theirs[f"{name}_images_per_second"], "images/s"))
    on_gpu = ours["device"] != "cpu"
    if on_gpu:
        rows.append(("peak GPU memory, training (ratio <= 1 is better)",
                     ours["memory"]["train_peak_device_mib"],
                     theirs["memory"]["train_peak_device_mib"], "MiB"))
        for name in ("gradcam", "scorecam"):
            rows.append((f"peak GPU memory, {name} (ratio <= 1 is better)",
                         ours[name]["peak_device_mib"], theirs[f"{name}_peak_device_mib"], "MiB"))
    else:
        rows.append(("RSS before training", ours["memory"]["train_start_rss_mib"],
                     theirs["memory"]["train_start_rss_mib"], "MiB"))
        rows.append(("peak RSS during training (ratio <= 1 is better)",
                     ours["memory"]["train_peak_rss_mib"], theirs["memory"]["train_peak_rss_mib"],
                     "MiB"))
    for name, key in (("forward", "forward"), ("backward-input", "backward_input"),
                      ("backward-weight", "backward_weight"), ("backward (both)", "backward")):
        rows.append((f"conv2d {name}", ours["conv2d"][key + "_gflops"],
                     theirs["conv2d"][key + "_gflops"], "GFLOP/s"))
    if on_gpu:  # the FMA peak is the CPU's: no fraction of it for GPU convolutions
        return rows
    core_peak = ours["fma_peak"]["gflops_per_core"]
    for name, key in (("forward", "forward"), ("backward (both)", "backward")):
        rows.append((f"conv2d {name}, % of FMA peak", 100 * ours["conv2d"][key + "_gflops"] / peak,
                     100 * theirs["conv2d"][key + "_gflops"] / peak, "%"))
        rows.append((f"conv2d {name}, % of core peak per CPU-second",
                     100 * ours["conv2d"][key + "_gflops_per_core"] / core_peak,
                     100 * theirs["conv2d"][key + "_gflops_per_core"] / core_peak, "%"))
    return rows


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summarize(rounds):
    """One row per figure over all rounds: medians of each side, the median ratio and the range
    of the per-round ratios (each round measures both sides back to back, so the per-round ratio
    is less exposed to slow load changes than either side alone)."""
    per_round = [comparison_rows(ours, theirs) for ours, theirs in rounds]
    rows = []
    for i, (label, _, _, unit) in enumerate(per_round[0]):
        ours = [r[i][1] for r in per_round]
        theirs = [r[i][2] for r in per_round]
        ratios = [a / b for a, b in zip(ours, theirs)]
        rows.append({"workload": label, "unit": unit, "camlab": median(ours),
                     "pytorch": median(theirs), "ratio": median(ratios),
                     "ratio_min": min(ratios), "ratio_max": max(ratios)})
    return rows


def print_table(rounds, rows):
    ours, theirs = rounds[0]
    peaks = [o["fma_peak"]["gflops"] for o, _ in rounds]
    core_peaks = [o["fma_peak"]["gflops_per_core"] for o, _ in rounds]
    where = theirs.get("gpu", theirs.get("device", "cpu"))
    if theirs.get("tf32"):
        where += ", TF32 allowed"
    print(f"fmnist-gapnet, {ours['threads']} threads, camlab ({ours['device']}) vs PyTorch "
          f"{theirs['torch_version']} ({where}), median of {len(rounds)} round(s); FMA peak "
          f"{median(peaks):.1f} GFLOP/s ({ours['fma_peak']['isa']}, {ours['fma_peak']['threads']} "
          f"threads; {median(core_peaks):.1f} per core per CPU-second), measured by camlab in "
          f"each round{' [--quick: rough]' if ours['quick'] else ''}")
    ratio_head = "ratio range" if len(rounds) > 1 else ""
    print(f"| {'workload':<54} | {'camlab':>9} | {'PyTorch':>9} | {'camlab/PyTorch':>14} | "
          f"{ratio_head:<11} | {'unit':<8} |")
    print(f"|{'-' * 56}|{'-' * 11}|{'-' * 11}|{'-' * 16}|{'-' * 13}|{'-' * 10}|")
    for r in rows:
        spread = f"{r['ratio_min']:.2f}-{r['ratio_max']:.2f}" if len(rounds) > 1 else ""
        print(f"| {r['workload']:<54} | {r['camlab']:>9.1f} | {r['pytorch']:>9.1f} | "
              f"{r['ratio']:>14.2f} | {spread:<11} | {r['unit']:<8} |")
    print("camlab/PyTorch: above 1 camlab is faster, except for memory rows, where at or below 1 "
          "camlab uses less.")


# ---- the older mode: one epoch of `camlab train` on real data ---------------------------------

def load_fashion_mnist(count):
    import numpy as np
    folder = pathlib.Path(os.environ.get("CAMLAB_FASHION_MNIST_DIR",
                                         "/usr/share/datasets/fashion-mnist"))

    def read(name, offset):
        for candidate in (folder / name, folder / (name + ".gz")):
            if candidate.exists():
                opener = gzip.open if candidate.suffix == ".gz" else open
                with opener(candidate, "rb") as f:
                    return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)
        raise SystemExit(f"Fashion-MNIST not found in {folder} "
                         "(apt-get install dataset-fashion-mnist)")
    images = read("train-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28)[:count]
    labels = read("train-labels-idx1-ubyte", 8)[:count]
    return images.astype("float32") / 255.0, labels.astype("int64")


def torch_epoch_images_per_second(images, labels, threads, batch):
    import torch
    import torch.nn.functional as F
    import cam_reference as ref
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    model = ref.fmnist_gapnet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    x_all, y_all = torch.from_numpy(images), torch.from_numpy(labels)
    order = torch.randperm(len(x_all))
    steps = len(x_all) // batch
    start = time.perf_counter()
    for step in range(steps):
        idx = order[step * batch:(step + 1) * batch]
        loss = F.cross_entropy(model(x_all[idx]), y_all[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return steps * batch / (time.perf_counter() - start)


def camlab_epoch_images_per_second(binary, count, threads):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([binary, "train", str(ROOT / "experiments/configs/fmnist-gapnet.toml"),
                        "--set", "train.epochs=1", "--set", f"data.train_subset={count}",
                        "--set", "data.test_subset=256", "--set", f"experiment.threads={threads}",
                        "--progress", "lines", "--out", out + "/run"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        metrics = json.loads(pathlib.Path(out, "run", "metrics.json").read_text())
        return metrics["train_images_per_second"]


def train_run_mode(args):
    import torch
    images, labels = load_fashion_mnist(args.images)
    ours = camlab_epoch_images_per_second(args.camlab, args.images, args.threads)
    theirs = torch_epoch_images_per_second(images, labels, args.threads, 64)
    print(json.dumps({"workload": "fmnist-gapnet training epoch, batch 64",
                      "threads": args.threads, "images": args.images,
                      "camlab_images_per_second": round(ours, 1),
                      "pytorch_images_per_second": round(theirs, 1),
                      "pytorch_version": torch.__version__,
                      "ratio_camlab_over_pytorch": round(ours / theirs, 3)}, indent=2))


def main():
    reexec_with_system_python()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("bench", "train-run"), default="bench")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="where both sides run (cuda: the first GPU)")
    parser.add_argument("--torch-tf32", action="store_true",
                        help="let PyTorch use TF32 on the GPU (its default for convolutions)")
    parser.add_argument("--quick", action="store_true", help="camlab bench --quick and the same")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat camlab + PyTorch this many times; medians (a shared machine)")
    parser.add_argument("--json-out", help="write camlab's figures, PyTorch's and the rows here")
    parser.add_argument("--images", type=int, default=6400, help="train-run mode: images")
    parser.add_argument("--worker", nargs=2, metavar=("CAMLAB_JSON", "OUT_JSON"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--camlab", default=str(ROOT / "build/camlab"))
    args = parser.parse_args()
    if args.mode == "train-run":
        return train_run_mode(args)
    if args.worker:  # one round's PyTorch side, in a fresh process (see torch_side_in_child)
        ours = json.loads(pathlib.Path(args.worker[0]).read_text())
        theirs = torch_side(ours, args.threads, args.device, args.torch_tf32)
        pathlib.Path(args.worker[1]).write_text(json.dumps(theirs))
        return
    rounds = []
    for _ in range(args.rounds):
        ours = run_camlab_bench(args.camlab, args.threads, args.quick, args.device)
        rounds.append((ours, torch_side_in_child(ours, args.threads, args.device,
                                                 args.torch_tf32)))
    rows = summarize(rounds)
    print_table(rounds, rows)
    if args.json_out:
        pathlib.Path(args.json_out).write_text(json.dumps(
            {"rounds": [{"camlab": o, "pytorch": t} for o, t in rounds], "rows": rows},
            indent=2) + "\n")


if __name__ == "__main__":
    main()
