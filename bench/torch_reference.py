#!/usr/bin/env python3
"""Training throughput of fmnist-gapnet in camlab and in PyTorch, side by side, in one run.

    python3 bench/torch_reference.py --threads 2 --images 6400

Both frameworks train the same network (conv 1->32->32, maxpool, conv 32->64->64, GAP, linear
64->10) with the same recipe (SGD 0.05, momentum 0.9, Nesterov, weight decay 5e-4, batch 64) on
the first --images Fashion-MNIST training images, one epoch each, on the same number of threads.
camlab runs through its CLI (`build/camlab train`) and reports train_images_per_second in its
metrics.json; PyTorch is timed here over the same steps. The ratio camlab / PyTorch is printed.
Run it on a quiet machine: both sides are measured in the same invocation so a load change hits
both, but a busy core still adds noise.
"""
import argparse
import gzip
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def reexec_with_system_python():
    """Debian's python3-torch lives in /usr/bin/python3's site-packages, not in pyenv's."""
    try:
        import torch  # noqa: F401
    except ImportError:
        if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
        raise


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
        raise SystemExit(f"Fashion-MNIST not found in {folder} (apt-get install dataset-fashion-mnist)")
    images = read("train-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28)[:count]
    labels = read("train-labels-idx1-ubyte", 8)[:count]
    return images.astype("float32") / 255.0, labels.astype("int64")


def torch_images_per_second(images, labels, threads, batch):
    import torch
    import torch.nn as nn
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    x_all = torch.from_numpy(images)
    y_all = torch.from_numpy(labels)
    order = torch.randperm(len(x_all))
    steps = len(x_all) // batch
    start = time.perf_counter()
    for step in range(steps):
        idx = order[step * batch:(step + 1) * batch]
        loss = nn.functional.cross_entropy(model(x_all[idx]), y_all[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return steps * batch / (time.perf_counter() - start)


def camlab_images_per_second(binary, count, threads):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([binary, "train", str(ROOT / "experiments/configs/fmnist-gapnet.toml"),
                        "--set", "train.epochs=1", "--set", f"data.train_subset={count}",
                        "--set", "data.test_subset=256", "--set", f"experiment.threads={threads}",
                        "--progress", "lines", "--out", out + "/run"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        metrics = json.loads(pathlib.Path(out, "run", "metrics.json").read_text())
        return metrics["train_images_per_second"]


def main():
    reexec_with_system_python()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--images", type=int, default=6400)
    parser.add_argument("--camlab", default=str(ROOT / "build/camlab"))
    args = parser.parse_args()
    images, labels = load_fashion_mnist(args.images)
    ours = camlab_images_per_second(args.camlab, args.images, args.threads)
    theirs = torch_images_per_second(images, labels, args.threads, 64)
    import torch
    print(json.dumps({"workload": "fmnist-gapnet training step, batch 64",
                      "threads": args.threads, "images": args.images,
                      "camlab_images_per_second": round(ours, 1),
                      "pytorch_images_per_second": round(theirs, 1),
                      "pytorch_version": torch.__version__,
                      "ratio_camlab_over_pytorch": round(ours / theirs, 3)}, indent=2))


if __name__ == "__main__":
    main()
