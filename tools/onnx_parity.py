#!/usr/bin/env python3
"""Exports torchvision classifiers to ONNX with random weights and writes PyTorch's logits and
CAM maps beside them, for tests/onnx/parity_test.cpp.

    python3 tools/onnx_parity.py --out /tmp/parity --models resnet18,vgg11

For each model, OUT/<model>/ gets model.onnx, input.pb [N, 3, S, S], logits.pb [N, classes] and
<method>.pb [N, h, w] for Grad-CAM, Grad-CAM++, LayerCAM (and Score-CAM where the model is cheap
enough): the raw maps at the layer's resolution, relu(sum_k w_k A_k), as camlab's Explanation.raw. OUT/<model>/layer.txt names the layer (PyTorch module
path); OUT/<model>/export_error.txt instead says why PyTorch could not export it. Exit status 77: torch, torchvision or onnx is missing (the test skips).
"""
import argparse
import os
import sys

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
    import torch
    import torch.nn.functional as F
    import torchvision
except ImportError as missing:  # the test skips with this message
    print(f"onnx_parity: {missing}", file=sys.stderr)
    sys.exit(77)


def vgg_small(builder):
    """VGG at a small input: ONNX cannot export the 7×7 adaptive pool of a 2×2 map (not a factor),
    so the pool is dropped and the first classifier layer takes the 2×2 map."""
    def make():
        m = builder(num_classes=10)
        m.avgpool = torch.nn.Identity()
        m.classifier[0] = torch.nn.Linear(512 * 2 * 2, 4096)
        return m
    return make


# name -> (constructor, input size, CAM layer as a PyTorch module path, opset, Score-CAM too)
MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(num_classes=10), 64, "layer4", 13, True),
    "vgg11": (vgg_small(torchvision.models.vgg11), 64, "features", 11, False),
    "vgg11_bn": (vgg_small(torchvision.models.vgg11_bn), 64, "features", 12, False),
    "vgg16": (vgg_small(torchvision.models.vgg16), 64, "features", 13, False),
    "vgg16_bn": (vgg_small(torchvision.models.vgg16_bn), 64, "features", 14, False),
    "inception_v3": (lambda: torchvision.models.inception_v3(num_classes=10, aux_logits=False, init_weights=True), 128, "Mixed_7c", 13, False),
    "mobilenet_v3_large": (lambda: torchvision.models.mobilenet_v3_large(num_classes=10), 64, "features", 14, False),
    "convnext_tiny": (lambda: torchvision.models.convnext_tiny(num_classes=10), 64, "features", 13, False),
    "resnet50": (lambda: torchvision.models.resnet50(num_classes=10), 64, "layer4", 14, False),
    "resnext50_32x4d": (lambda: torchvision.models.resnext50_32x4d(num_classes=10), 64, "layer4", 15, False),
    "densenet121": (lambda: torchvision.models.densenet121(num_classes=10), 64, "features", 13, False),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(num_classes=10), 64, "features", 16, False),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(num_classes=10), 64, "features", 17, False),
    "shufflenet_v2_x0_5": (lambda: torchvision.models.shufflenet_v2_x0_5(num_classes=10), 64, "conv5", 13, True),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(num_classes=10), 64, "features", 11, True),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(num_classes=10), 64, "features", 13, False),
    "regnet_y_400mf": (lambda: torchvision.models.regnet_y_400mf(num_classes=10), 64, "trunk_output", 13, False),
    "googlenet": (lambda: torchvision.models.googlenet(num_classes=10, aux_logits=False, init_weights=True), 64, "inception5b", 13, False),
    "alexnet": (lambda: torchvision.models.alexnet(num_classes=10), 224, "features", 13, False),
}


def save(array, path):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.ascontiguousarray(array)).SerializeToString())


def module_at(model, path):
    for part in path.split("."):
        model = getattr(model, part)
    return model


def activations_and_gradients(model, layer, x):
    """A [N, K, h, w] at `layer` and dY_c/dA for each image's predicted class c. The forward goes on
    with a copy, so an in-place op after the layer (DenseNet's F.relu(features, inplace=True))
    cannot change A: A is the layer's own output, as camlab hooks it."""
    store = {}

    def keep(module, inputs, output):
        store["a"] = output
        return output.clone()

    handle = module_at(model, layer).register_forward_hook(keep)
    logits = model(x)
    handle.remove()
    a = store["a"]
    classes = logits.argmax(1)
    score = logits.gather(1, classes[:, None]).sum()
    (g,) = torch.autograd.grad(score, a)
    return logits.detach(), a.detach(), g.detach(), classes


def gradcam(a, g):  # Selvaraju et al. 2017: channel weights = spatial mean of the gradient
    return torch.relu((g.mean((2, 3), keepdim=True) * a).sum(1))


def gradcam_plus_plus(a, g):  # Chattopadhay et al. 2018 eq. 19, ε as pytorch-grad-cam
    g2, g3 = g * g, g * g * g
    alpha = g2 / (2 * g2 + a.sum((2, 3), keepdim=True) * g3 + 1e-6)
    alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
    w = (alpha * torch.relu(g)).sum((2, 3), keepdim=True)
    return torch.relu((w * a).sum(1))


def layercam(a, g):  # Jiang et al. 2021: positive gradients weigh each position
    return torch.relu((torch.relu(g) * a).sum(1))


def scorecam(model, x, a, classes):  # Wang et al. 2020 eq. 8 as pytorch-grad-cam
    n, k = a.shape[:2]
    up = F.interpolate(a.reshape(n * k, 1, *a.shape[2:]), size=x.shape[2:], mode="bilinear",
                       align_corners=True)
    low = up.amin((2, 3), keepdim=True)
    masks = (up - low) / (up.amax((2, 3), keepdim=True) - low + 1e-8)
    scores = []
    with torch.no_grad():
        for i in range(n):
            masked = x[i:i + 1] * masks[i * k:(i + 1) * k]
            scores.append(model(masked)[:, classes[i]])
    w = torch.softmax(torch.stack(scores), 1)
    return torch.relu((w[:, :, None, None] * a).sum(1))


def export(name, out):
    make, size, layer, opset, with_scorecam = MODELS[name]
    torch.manual_seed(0)
    model = make().eval()
    x = torch.randn(2, 3, size, size)
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    torch.onnx.export(model, x, os.path.join(folder, "model.onnx"), opset_version=opset,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    logits, a, g, classes = activations_and_gradients(model, layer, x)
    save(x.numpy(), os.path.join(folder, "input.pb"))
    save(logits.numpy(), os.path.join(folder, "logits.pb"))
    save(gradcam(a, g).numpy(), os.path.join(folder, "gradcam.pb"))
    save(gradcam_plus_plus(a, g).numpy(), os.path.join(folder, "gradcam++.pb"))
    save(layercam(a, g).numpy(), os.path.join(folder, "layercam.pb"))
    if with_scorecam:
        save(scorecam(model, x, a, classes).numpy(), os.path.join(folder, "scorecam.pb"))
    with open(os.path.join(folder, "layer.txt"), "w") as f:
        f.write(f"{layer}\n{opset}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--models", default="resnet18", help=f"any of {','.join(MODELS)}")
    args = parser.parse_args()
    torch.set_num_threads(2)
    for name in args.models.split(","):
        if name not in MODELS:
            sys.exit(f"onnx_parity: unknown model '{name}'; known: {', '.join(MODELS)}")
        try:
            export(name, args.out)
        except Exception as error:  # torch cannot export it: recorded, the test reports it
            folder = os.path.join(args.out, name)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "export_error.txt"), "w") as f:
                f.write(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}\n")


if __name__ == "__main__":
    main()
