#!/usr/bin/python3
"""The fmnist-gapnet recipe trained in PyTorch, for the accuracy comparison of
experiments/configs/fmnist-gapnet.toml: camlab should land within 0.5 points of PyTorch on the
same recipe (docs/results.md).

    python3 bench/torch_train_reference.py --epochs 10 --seed 0 --threads 1 --csv torch-seed0.csv

The recipe, as camlab runs it: pixels scaled to [0, 1] and not normalized (data.normalize is off
by default), the net of bench/cam_reference.py with PyTorch's default initialisation, batch 64
from a fresh shuffle every epoch with the last partial batch kept, SGD lr 0.05 with momentum 0.9,
Nesterov and weight decay 5e-4, and a cosine schedule stepped once per epoch
(lr_e = 0.05 * (1 + cos(pi * e / epochs)) / 2 for epoch e = 0, 1, ...), exactly
torch.optim.lr_scheduler.CosineAnnealingLR(T_max=epochs). The test set is evaluated after every
epoch at batch 256 in eval mode. One line per epoch goes to stdout, and --csv writes the same
columns as camlab's metrics.csv, so the two runs plot and diff alike.
"""
import argparse
import csv
import gzip
import math
import os
import pathlib
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cam_reference  # noqa: E402  (the net definition, shared with the CAM benchmark)

LR, MOMENTUM, WEIGHT_DECAY, BATCH, EVAL_BATCH = 0.05, 0.9, 5e-4, 64, 256


def read_idx(folder, name, offset):
    for candidate in (folder / name, folder / (name + ".gz")):
        if candidate.exists():
            opener = gzip.open if candidate.suffix == ".gz" else open
            with opener(candidate, "rb") as f:
                return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)
    sys.exit(f"{folder / name}: not found (apt-get install dataset-fashion-mnist, or set "
             "CAMLAB_FASHION_MNIST_DIR)")


def load_split(folder, prefix):
    images = read_idx(folder, f"{prefix}-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28)
    labels = read_idx(folder, f"{prefix}-labels-idx1-ubyte", 8)
    x = torch.from_numpy(images.astype(np.float32) / 255.0)  # [N, 1, 28, 28] in [0, 1]
    y = torch.from_numpy(labels.astype(np.int64))            # [N]
    return x, y


def cosine_lr(epoch, epochs):
    return LR * (1.0 + math.cos(math.pi * epoch / epochs)) / 2.0


def train_epoch(net, optimizer, x, y, generator):
    net.train()
    order = torch.randperm(len(x), generator=generator)
    loss_sum, correct = 0.0, 0
    for start in range(0, len(x), BATCH):
        idx = order[start:start + BATCH]
        logits = net(x[idx])
        loss = F.cross_entropy(logits, y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(idx)
        correct += (logits.argmax(1) == y[idx]).sum().item()
    return loss_sum / len(x), correct / len(x)


@torch.no_grad()
def evaluate(net, x, y):
    net.eval()
    loss_sum, correct = 0.0, 0
    for start in range(0, len(x), EVAL_BATCH):
        logits = net(x[start:start + EVAL_BATCH])
        loss_sum += F.cross_entropy(logits, y[start:start + EVAL_BATCH], reduction="sum").item()
        correct += (logits.argmax(1) == y[start:start + EVAL_BATCH]).sum().item()
    return loss_sum / len(x), correct / len(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--csv", help="write per-epoch metrics here (camlab's metrics.csv columns)")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    folder = pathlib.Path(os.environ.get("CAMLAB_FASHION_MNIST_DIR",
                                         "/usr/share/datasets/fashion-mnist"))
    train_x, train_y = load_split(folder, "train")
    test_x, test_y = load_split(folder, "t10k")
    net = cam_reference.fmnist_gapnet()
    optimizer = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM, nesterov=True,
                                weight_decay=WEIGHT_DECAY)
    shuffle = torch.Generator().manual_seed(args.seed)

    rows = []
    print(f"torch {torch.__version__}, seed {args.seed}, {args.threads} thread(s)")
    for epoch in range(args.epochs):
        lr = cosine_lr(epoch, args.epochs)
        for group in optimizer.param_groups:
            group["lr"] = lr
        start = time.perf_counter()
        train_loss, train_acc = train_epoch(net, optimizer, train_x, train_y, shuffle)
        seconds = time.perf_counter() - start
        test_loss, test_acc = evaluate(net, test_x, test_y)
        rows.append(dict(epoch=epoch + 1, train_loss=train_loss, train_accuracy=train_acc,
                         test_loss=test_loss, test_accuracy=test_acc, lr=lr,
                         images_per_second=len(train_x) / seconds, seconds=seconds))
        print(f"epoch {epoch + 1}/{args.epochs} lr {lr:.5f} train loss {train_loss:.4f} "
              f"acc {train_acc:.4f} test loss {test_loss:.4f} acc {test_acc:.4f} "
              f"({len(train_x) / seconds:.0f} img/s)", flush=True)
        if args.csv:
            with open(args.csv, "w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
    print(f"test_accuracy {rows[-1]['test_accuracy']:.4f}")


if __name__ == "__main__":
    main()
