#!/usr/bin/python3
"""Write tests/fixtures/cam_fullgrad.h5 (and cam_fullgrad.onnx): PyTorch references for FullGrad
and Seg-Eigen-CAM (cam/methods/full_grad.h, cam/methods/seg_eigen_cam.h).

Run from the repository root:  python3 tools/make_fullgrad_fixtures.py

Both methods are written out here from the formulas in docs/cam.md, following pytorch-grad-cam's
fullgrad_cam.py and seg_eigen_cam.py (which is not imported). FullGrad needs biases at convolutions
and batch norms, so the network is a tiny GAP convnet with batch norm (random running statistics
and affine weights) whose module names match camlab's nn::Sequential:

    conv1 (2->4, 3x3, pad 1, bias), bn1, relu1, pool1 (max 2),
    conv2 (4->6, 3x3, pad 1, no bias), bn2, relu2, gap, fc (6->3)

Layout (weights and inputs float32; references float64 computed from the same float32 values):
    /model/<state_dict key>            weights, PyTorch names and layouts
    /inputs [3, 2, 12, 12]             /labels int64 [3] (the targets of every reference)
    /fullgrad/{raw, maps}              FullGrad of the network as it is
    /fullgrad_folded/{raw, maps}       FullGrad of the network with each batch norm folded into the
                                       convolution before it (what an ONNX export holds)
    /<layer>/segeigencam/{raw, maps}   Seg-Eigen-CAM at relu2 and conv1
cam_fullgrad.onnx is the network exported by torch.onnx (batch norm folded into Conv when the
exporter folds it); the root attribute onnx_folded says whether it did.
"""
import collections
import os

import system_python

system_python.require("torch", "h5py", "onnx")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# The fixture conventions shared with cam.h5: GAP module, dataset writer, display min-max, logit.
from make_cam_fixtures import GlobalAvgPool, logit_score, minmax, put  # noqa: E402

OUT_PATH = os.path.join("tests", "fixtures", "cam_fullgrad.h5")
ONNX_PATH = os.path.join("tests", "fixtures", "cam_fullgrad.onnx")
N, C, H, W = 3, 2, 12, 12
LABELS = [0, 1, 2]
SCALE_EPS = 1e-7   # pytorch-grad-cam's scale_cam_image: (x - min) / (max - min + eps)


def make_net():
    net = nn.Sequential(collections.OrderedDict([
        ("conv1", nn.Conv2d(C, 4, 3, padding=1)),
        ("bn1", nn.BatchNorm2d(4)),
        ("relu1", nn.ReLU()),
        ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(4, 6, 3, padding=1, bias=False)),
        ("bn2", nn.BatchNorm2d(6)),
        ("relu2", nn.ReLU()),
        ("gap", GlobalAvgPool()),
        ("fc", nn.Linear(6, 3)),
    ]))
    # Non-trivial batch-norm statistics and affine weights, so every effective bias differs from β.
    with torch.no_grad():
        for name in ("bn1", "bn2"):
            bn = getattr(net, name)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.5)
            bn.running_mean.normal_(0.0, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
        net.fc.weight.mul_(4.0)
    return net


def put_result(group, raw):
    put(group, "raw", raw)
    up = raw if raw.shape[1:] == (H, W) else F.interpolate(
        raw[:, None], size=(H, W), mode="bilinear", align_corners=False)[:, 0]
    put(group, "maps", minmax(up))


# ---------------------------------------------------------------------------------------------
# FullGrad (Srinivas & Fleuret 2019) as pytorch-grad-cam's fullgrad_cam.py
# ---------------------------------------------------------------------------------------------

def effective_bias(module):
    """The bias a layer adds: a conv's own, a batch norm's beta - mu * gamma / sqrt(var + eps)."""
    if isinstance(module, nn.BatchNorm2d):
        return module.bias - module.running_mean * module.weight / torch.sqrt(
            module.running_var + module.eps)
    return module.bias


def bias_layers(net):
    """pytorch-grad-cam's layer_with_2D_bias: every Conv2d and BatchNorm2d whose bias is not None."""
    return [m for m in net.modules()
            if type(m) in (nn.Conv2d, nn.BatchNorm2d) and m.bias is not None]


def scale_each_channel(t):
    """[N, K, h, w] -> each (image, channel) to [0, 1] as scale_cam_image (before resizing)."""
    shifted = t - t.amin((2, 3), keepdim=True)
    return shifted / (shifted.amax((2, 3), keepdim=True) + SCALE_EPS)


def resize(t, size):
    if tuple(t.shape[2:]) == tuple(size):
        return t
    return F.interpolate(t, size=size, mode="bilinear", align_corners=False)  # = cv2.resize


def fullgrad(net, x, classes):
    """Raw FullGrad maps [N, H, W] at x's size for `classes` (None: each image's top class); also
    bench/cam_reference.py's reference."""
    layers = bias_layers(net)
    outputs = []
    handles = [m.register_forward_hook(lambda mod, inp, out: outputs.append(out)) for m in layers]
    x = x.clone().requires_grad_(True)
    try:
        logits = net(x)
    finally:
        for handle in handles:
            handle.remove()
    if classes is None:
        classes = logits.argmax(1)
    grads = torch.autograd.grad(logit_score(logits, classes).sum(), [x] + outputs)
    with torch.no_grad():
        raw = scale_each_channel((grads[0] * x).abs()).sum(1)                       # [N, H, W]
        for module, g in zip(layers, grads[1:]):
            b = effective_bias(module)[None, :, None, None]
            raw += resize(scale_each_channel((b * g).abs()), x.shape[2:]).sum(1)
    return raw


def fold_batch_norms(net):
    """A copy with each BatchNorm2d folded into the Conv2d before it (what torch.onnx emits)."""
    folded = nn.Sequential(collections.OrderedDict(
        (name, module) for name, module in net.named_children() if not name.startswith("bn")))
    folded.conv1 = torch.nn.utils.fusion.fuse_conv_bn_eval(net.conv1, net.bn1)
    folded.conv2 = torch.nn.utils.fusion.fuse_conv_bn_eval(net.conv2, net.bn2)
    return folded.eval()


# ---------------------------------------------------------------------------------------------
# Seg-Eigen-CAM (Chung & Ying 2025) as pytorch-grad-cam's seg_eigen_cam.py
# ---------------------------------------------------------------------------------------------

def seg_eigen_cam(net, x, layer, classes):
    """Raw maps [N, h, w] for `classes` (None: each image's top class); also
    bench/cam_reference.py's reference."""
    captured = []
    handle = getattr(net, layer).register_forward_hook(lambda m, i, o: captured.append(o))
    try:
        logits = net(x)
    finally:
        handle.remove()
    if classes is None:
        classes = logits.argmax(1)
    (g,) = torch.autograd.grad(logit_score(logits, classes).sum(), captured)
    t = (g.abs() * captured[0]).detach()                   # Eq. 10: |dy/dA| * A, [N, K, h, w]
    projections = []
    for m in t:
        k, h, w = m.shape
        rows = m.reshape(k, h * w).T
        centred = rows - rows.mean(0, keepdim=True)
        _, _, vh = torch.linalg.svd(centred, full_matrices=True)
        p = centred @ vh[0]                                # Eq. 11-12
        if abs(float(p.min())) > abs(float(p.max())):      # Eq. 13: salient side positive
            p = -p
        projections.append(p.reshape(h, w))
    return torch.stack(projections).clamp(min=0)


def export_onnx(net, x32):
    """Returns whether the exporter folded the batch norms into the convolutions."""
    torch.onnx.export(net, x32, ONNX_PATH, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)
    import onnx
    ops = {node.op_type for node in onnx.load(ONNX_PATH).graph.node}
    return "BatchNormalization" not in ops


def main():
    torch.manual_seed(0)
    net = make_net().eval()
    x32 = torch.randn(N, C, H, W)
    labels = torch.tensor(LABELS, dtype=torch.int64)
    folded_in_onnx = export_onnx(net, x32)
    net64 = make_net()
    net64.load_state_dict(net.state_dict())
    net64 = net64.eval().double()
    x = x32.double()
    with h5py.File(OUT_PATH, "w") as h5:
        h5.attrs["generator"] = "tools/make_fullgrad_fixtures.py"
        h5.attrs["torch_version"] = str(torch.__version__)
        h5.attrs["onnx_folded"] = np.int64(folded_in_onnx)
        model = h5.create_group("model")
        for key, value in net.state_dict().items():
            put(model, key, value)
        put(h5, "inputs", x32)
        put(h5, "labels", labels)
        put_result(h5.create_group("fullgrad"), fullgrad(net64, x, labels))
        # Folded in float32, as the exporter did, then run in float64.
        folded = fold_batch_norms(net).double()
        put_result(h5.create_group("fullgrad_folded"), fullgrad(folded, x, labels))
        for layer in ("relu2", "conv1"):
            put_result(h5.create_group(layer).create_group("segeigencam"),
                       seg_eigen_cam(net64, x, layer, labels))
    print(f"{OUT_PATH}: {os.path.getsize(OUT_PATH)} bytes; {ONNX_PATH}: "
          f"{os.path.getsize(ONNX_PATH)} bytes, batch norm folded: {folded_in_onnx}")


if __name__ == "__main__":
    main()
