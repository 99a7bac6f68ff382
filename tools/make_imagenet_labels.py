#!/usr/bin/python3
"""Write experiments/labels/imagenet1k.txt: the ImageNet-1k class names, one per line, line k
naming class k of torchvision's pretrained classifiers (as their weights' meta["categories"]).

Run from the repository root:  python3 tools/make_imagenet_labels.py
The names come from torchvision's own metadata (torchvision.models.ResNet50_Weights), so no
weights are downloaded.
"""
import os

import system_python

system_python.require("torchvision")

from torchvision.models import ResNet50_Weights, VGG16_Weights

OUT = os.path.join("experiments", "labels", "imagenet1k.txt")

if __name__ == "__main__":
    names = ResNet50_Weights.IMAGENET1K_V2.meta["categories"]
    assert names == VGG16_Weights.IMAGENET1K_V1.meta["categories"], "torchvision's lists differ"
    assert len(names) == 1000 and all("\n" not in n and "," not in n for n in names)
    with open(OUT, "w") as f:
        f.write("".join(name + "\n" for name in names))
    print(f"wrote {len(names)} class names to {OUT}")
