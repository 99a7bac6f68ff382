#!/usr/bin/python3
"""Export torchvision classifiers to ONNX for `camlab explain MODEL.onnx --image photo.jpg`.

Run on a machine that has torchvision's pretrained weights (downloaded once into
$TORCH_HOME/hub/checkpoints, ~/.cache/torch by default):

  python3 tools/export_torchvision_onnx.py vgg16 resnet50 --out models/
  python3 tools/export_torchvision_onnx.py resnet18 --random --size 64 --out /tmp/m   # no weights

Each model is exported in eval mode at 1 x 3 x SIZE x SIZE with a symbolic batch dimension
(dynamic_axes), opset 13, input "input" and output "logits". Module paths stay in the node names
(/layer4/..., /features/features.29/...), so `--layer layer4` or `--layer features.29` finds them.
"""
import argparse
import os

import system_python

system_python.require("torch", "torchvision")

import torch
import torchvision


def build(name, random):
    builder = getattr(torchvision.models, name)
    if random:
        torch.manual_seed(0)
        return builder(weights=None)
    # The weights the CAM and Grad-CAM figures in docs/imagenet.md use: torchvision's first
    # ImageNet-1k release for each architecture (IMAGENET1K_V1).
    return builder(weights="IMAGENET1K_V1")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", help="torchvision.models names, e.g. vgg16 resnet50")
    parser.add_argument("--out", default="models", help="folder for NAME.onnx")
    parser.add_argument("--size", type=int, default=224, help="export resolution")
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--random", action="store_true", help="random weights (seed 0), no download")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in args.models:
        model = build(name, args.random).eval()
        path = os.path.join(args.out, name + ".onnx")
        torch.onnx.export(model, torch.zeros(1, 3, args.size, args.size), path,
                          opset_version=args.opset, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
