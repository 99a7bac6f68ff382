#!/usr/bin/python3
"""Write tests/fixtures/cam.h5: PyTorch references for camlab's explanation methods (cam/methods/).

Run from the repository root:  python3 tools/make_cam_fixtures.py

Every method is written out here from the formulas in docs/cam.md (pytorch-grad-cam's
constants where the papers leave one free); pytorch-grad-cam itself is not imported. The network is
a tiny GAP convnet whose module names match camlab's nn::Sequential, so the state dict loads as is:

    conv1 (1->4, 3x3, pad 1), relu1, pool1 (max 2), conv2 (4->6, 3x3, pad 1), relu2, gap, fc (6->3)

Layout (inputs float32 / int64, references float64 computed from the same float32 values):
    /model/<state_dict key>        weights, float32, PyTorch names and layouts
    /inputs [3, 1, 12, 12]         /labels int64 [3] (the targets of every reference)
    /logits [3, 3] float64         /predicted int64 [3]
    /noise/smoothgrad [S, N, C, H, W] standard normal draws SmoothGrad scales by sigma
    /noise/randomcam [N, K]        the U(-1, 1) channel weights of Random-CAM
    /<layer>/<method>/{raw, maps, weights}   activation-map methods at layer relu2 and conv2
    /pixel/<method>/{raw, maps, attributions} pixel-attribution methods (guided-gradcam at relu2)
    /variants/<name>/{raw, maps}  several layers, aug-smooth, eigen-smooth, other targets
Attributes on the root record the method options (steps, samples, patch, ...).
"""
import collections
import os
import sys

try:
    import h5py
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    # Debian's python3-torch lives in the system interpreter; a pyenv/venv `python3` lacks it.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

OUT_PATH = os.path.join("tests", "fixtures", "cam.h5")
N, C, H, W = 3, 1, 12, 12
LABELS = [0, 1, 2]
SMOOTH_SAMPLES = 6
SMOOTH_NOISE = 0.15
IG_STEPS = 8
OCCLUSION_PATCH = 4
OCCLUSION_STRIDE = 2
OCCLUSION_BASELINE = 0.0
GRADCAM_PP_EPS = 1e-6   # pytorch-grad-cam's constant
XGRADCAM_EPS = 1e-7     # pytorch-grad-cam's constant
SCORECAM_EPS = 1e-8     # pytorch-grad-cam's (max - min + eps)
ABLATION_EPS = 1e-7     # |y| below this is replaced by ±eps


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean((2, 3))


def make_net():
    net = nn.Sequential(collections.OrderedDict([
        ("conv1", nn.Conv2d(1, 4, 3, padding=1)),
        ("relu1", nn.ReLU()),
        ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(4, 6, 3, padding=1)),
        ("relu2", nn.ReLU()),
        ("gap", GlobalAvgPool()),
        ("fc", nn.Linear(6, 3)),
    ]))
    # PyTorch's default init leaves this tiny net nearly constant (the same class everywhere);
    # larger weights give varied logits, gradients and dead channels.
    with torch.no_grad():
        for name, scale in (("conv1", 3.0), ("conv2", 3.0), ("fc", 4.0)):
            getattr(net, name).weight.mul_(scale)
    return net


# ---------------------------------------------------------------------------------------------
# Shared pieces: targets, capture, map reduction and display normalisation
# ---------------------------------------------------------------------------------------------

def logit_score(logits, classes):
    return logits.gather(1, classes[:, None])[:, 0]


def softmax_score(logits, classes):
    return logits.softmax(1).gather(1, classes[:, None])[:, 0]


def forward_capture(net, x, layers):
    """Logits and the outputs of `layers` (in the graph when grad mode is on)."""
    captured = {}
    handles = [getattr(net, name).register_forward_hook(
        lambda module, inputs, output, name=name: captured.__setitem__(name, output))
        for name in layers]
    try:
        logits = net(x)
    finally:
        for handle in handles:
            handle.remove()
    return logits, [captured[name] for name in layers]


def activations_and_grads(net, x, layer, classes, score=logit_score):
    logits, (a,) = forward_capture(net, x, [layer])
    (g,) = torch.autograd.grad(score(logits, classes).sum(), [a])
    return a.detach(), g.detach()


def project_first_component(m):
    """m [K, h, w] -> [h, w]: centred HW x K rows on the first right singular vector, with the sign
    chosen so the projection correlates positively with the mean over channels (camlab's rule)."""
    k, h, w = m.shape
    rows = m.reshape(k, h * w).T                   # [HW, K]
    centred = rows - rows.mean(0, keepdim=True)
    _, _, vh = torch.linalg.svd(centred, full_matrices=False)
    p = centred @ vh[0]                            # [HW]
    if float(p @ rows.mean(1)) < 0:
        p = -p
    return p.reshape(h, w)


def reduce_contributions(contrib, eigen):
    """[N, K, h, w] per-channel contributions -> raw map [N, h, w] after the final ReLU."""
    if eigen:
        summed = torch.stack([project_first_component(c) for c in contrib])
    else:
        summed = contrib.sum(1)
    return summed.clamp(min=0)


def minmax(x):
    """Per-image min-max to [0, 1]; a constant image becomes zeros."""
    flat = x.reshape(x.shape[0], -1)
    lo = flat.min(1).values[:, None, None]
    hi = flat.max(1).values[:, None, None]
    span = hi - lo
    safe = torch.where(span > 0, span, torch.ones_like(span))
    return torch.where(span > 0, (x - lo) / safe, torch.zeros_like(x))


def to_maps(raw):
    up = F.interpolate(raw[:, None], size=(H, W), mode="bilinear", align_corners=False)[:, 0]
    return minmax(up)


# ---------------------------------------------------------------------------------------------
# Activation-map methods: each returns (raw, weights or None)
# ---------------------------------------------------------------------------------------------

def spatial_sum(t):
    return t.sum((2, 3), keepdim=True)


def weighted(weights, a):
    return weights[:, :, None, None] * a


def contributions_from_gradients(method, a, g):
    if method == "gradcam":  # Selvaraju et al. 2017: w_k = mean_ij g
        w = g.mean((2, 3))
        return weighted(w, a), w
    if method == "gradcam++":  # Chattopadhay et al. 2018, exp-score form, pytorch-grad-cam's eps
        g2 = g * g
        g3 = g2 * g
        alpha = g2 / (2 * g2 + spatial_sum(a) * g3 + GRADCAM_PP_EPS)
        alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
        w = (alpha * g.clamp(min=0)).sum((2, 3))
        return weighted(w, a), w
    if method == "xgradcam":  # Fu et al. 2020
        w = (g * a / (spatial_sum(a) + XGRADCAM_EPS)).sum((2, 3))
        return weighted(w, a), w
    if method == "layercam":
        return g.clamp(min=0) * a, None
    if method == "hirescam":
        return g * a, None
    if method == "gradcam-elementwise":
        return (g * a).clamp(min=0), None
    if method == "eigengradcam":
        return g * a, None
    raise ValueError(method)


GRADIENT_METHODS = ["gradcam", "gradcam++", "xgradcam", "layercam", "hirescam",
                    "gradcam-elementwise", "eigengradcam"]


def gradient_cam(net, x, layer, classes, method, eigen=False, score=logit_score):
    a, g = activations_and_grads(net, x, layer, classes, score)
    contrib, w = contributions_from_gradients(method, a, g)
    return reduce_contributions(contrib, eigen or method == "eigengradcam"), w


def class_activation_map(net, x, layer, classes):
    with torch.no_grad():
        _, (a,) = forward_capture(net, x, [layer])
    w = net.fc.weight[classes]  # [N, K]: the fc row of each image's class (Zhou et al. 2016)
    return reduce_contributions(weighted(w, a), False), w


def score_cam(net, x, layer, classes):
    with torch.no_grad():
        _, (a,) = forward_capture(net, x, [layer])
        k = a.shape[1]
        up = F.interpolate(a, size=(H, W), mode="bilinear", align_corners=True)  # [N, K, H, W]
        lo = up.amin((2, 3), keepdim=True)
        hi = up.amax((2, 3), keepdim=True)
        masks = (up - lo) / (hi - lo + SCORECAM_EPS)
        masked = x[:, None] * masks[:, :, None]                                   # [N, K, C, H, W]
        logits = net(masked.reshape(N * k, C, H, W))
        s = logit_score(logits, classes.repeat_interleave(k)).reshape(N, k)
        w = s.softmax(1)  # Wang et al. 2020: softmax over channels of the masked scores
    return reduce_contributions(weighted(w, a), False), w


def ablation_cam(net, x, layer, classes):
    with torch.no_grad():
        logits, (a,) = forward_capture(net, x, [layer])
        y = logit_score(logits, classes)
        k = a.shape[1]
        ablated = torch.zeros(N, k, dtype=x.dtype)
        module = getattr(net, layer)
        for channel in range(k):
            def zero_channel(mod, inputs, output, channel=channel):
                out = output.clone()
                out[:, channel] = 0
                return out
            handle = module.register_forward_hook(zero_channel)
            ablated[:, channel] = logit_score(net(x), classes)
            handle.remove()
        denom = torch.where(y.abs() < ABLATION_EPS,
                            torch.where(y < 0, -ABLATION_EPS, ABLATION_EPS) * torch.ones_like(y), y)
        w = (y[:, None] - ablated) / denom[:, None]  # Desai & Ramaswamy 2020
    return reduce_contributions(weighted(w, a), False), w


def eigen_cam(net, x, layer, classes):
    with torch.no_grad():
        _, (a,) = forward_capture(net, x, [layer])
    return reduce_contributions(a, True), None


def random_cam(net, x, layer, classes, weights):
    with torch.no_grad():
        _, (a,) = forward_capture(net, x, [layer])
    return reduce_contributions(weighted(weights, a), False), weights


# ---------------------------------------------------------------------------------------------
# Pixel attribution: each returns attributions [N, C, H, W]
# ---------------------------------------------------------------------------------------------

class GuidedReLU(torch.autograd.Function):
    """ReLU forward; backward passes gradient where the input > 0 and the gradient > 0."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > 0).to(grad.dtype) * (grad > 0).to(grad.dtype)


class DeconvReLU(torch.autograd.Function):
    """ReLU forward; backward passes gradient only where it is positive (Zeiler & Fergus 2014)."""
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        return grad.clamp(min=0)


def input_gradient(net, x, classes, rule=None):
    handles = []
    if rule is not None:
        for module in net.modules():
            if isinstance(module, nn.ReLU):
                handles.append(module.register_forward_hook(
                    lambda mod, inputs, output: rule.apply(inputs[0])))
    try:
        xg = x.detach().clone().requires_grad_()
        (g,) = torch.autograd.grad(logit_score(net(xg), classes).sum(), [xg])
    finally:
        for handle in handles:
            handle.remove()
    return g


def integrated_gradients(net, x, classes):
    # Sundararajan et al. 2017 eq. 3: right Riemann sum, alpha = k/m, k = 1..m, baseline 0.
    total = torch.zeros_like(x)
    for k in range(1, IG_STEPS + 1):
        total += input_gradient(net, x * (k / IG_STEPS), classes)
    return x * total / IG_STEPS


def smooth_grad(net, x, classes, noise):
    # Smilkov et al. 2017: sigma = 0.15 (max - min) per image.
    flat = x.reshape(N, -1)
    sigma = (SMOOTH_NOISE * (flat.max(1).values - flat.min(1).values))[:, None, None, None]
    total = torch.zeros_like(x)
    for sample in noise:
        total += input_gradient(net, x + sample * sigma, classes)
    return total / noise.shape[0]


def occlusion(net, x, classes):
    with torch.no_grad():
        y = logit_score(net(x), classes)
        drops = torch.zeros(N, H, W, dtype=x.dtype)
        counts = torch.zeros(N, H, W, dtype=x.dtype)
        for i in range(0, H - OCCLUSION_PATCH + 1, OCCLUSION_STRIDE):
            for j in range(0, W - OCCLUSION_PATCH + 1, OCCLUSION_STRIDE):
                occluded = x.clone()
                occluded[:, :, i:i + OCCLUSION_PATCH, j:j + OCCLUSION_PATCH] = OCCLUSION_BASELINE
                drop = y - logit_score(net(occluded), classes)
                drops[:, i:i + OCCLUSION_PATCH, j:j + OCCLUSION_PATCH] += drop[:, None, None]
                counts[:, i:i + OCCLUSION_PATCH, j:j + OCCLUSION_PATCH] += 1
        attribution = torch.where(counts > 0, drops / counts.clamp(min=1), torch.zeros_like(drops))
    return attribution[:, None].expand(N, C, H, W).clone()


def magnitude(attributions):
    return attributions.abs().amax(1)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

def put(group, name, value):
    array = value.detach().cpu().numpy() if torch.is_tensor(value) else np.asarray(value)
    group.create_dataset(name, data=array, track_times=False)


def put_result(group, raw, weights=None, *, maps=None, attributions=None):
    put(group, "raw", raw)
    put(group, "maps", to_maps(raw) if maps is None else maps)
    if weights is not None:
        put(group, "weights", weights)
    if attributions is not None:
        put(group, "attributions", attributions)


def aug_smooth(fn, x):
    """hflip x brightness {0.9, 1, 1.1}: explain each, undo the flip on the raw map, average."""
    raws = []
    for flip in (False, True):
        for brightness in (0.9, 1.0, 1.1):
            xa = x * brightness
            if flip:
                xa = xa.flip(-1)
            raw = fn(xa)
            raws.append(raw.flip(-1) if flip else raw)
    return torch.stack(raws).mean(0)


def main():
    if not os.path.exists(os.path.join("tools", "make_cam_fixtures.py")):
        sys.exit("make_cam_fixtures.py: run me from the repository root")
    torch.set_num_threads(1)
    torch.manual_seed(0)

    net = make_net().eval()
    x32 = torch.randn(N, C, H, W, dtype=torch.float32)
    labels = torch.tensor(LABELS, dtype=torch.int64)
    smooth_noise = torch.randn(SMOOTH_SAMPLES, N, C, H, W, dtype=torch.float32)
    random_weights = torch.empty(N, 6, dtype=torch.float32).uniform_(-1, 1)

    with h5py.File(OUT_PATH, "w") as h5:
        h5.attrs["generator"] = "tools/make_cam_fixtures.py"
        h5.attrs["torch_version"] = str(torch.__version__)
        h5.attrs["smooth_samples"] = np.int64(SMOOTH_SAMPLES)
        h5.attrs["smooth_noise"] = np.float64(SMOOTH_NOISE)
        h5.attrs["ig_steps"] = np.int64(IG_STEPS)
        h5.attrs["occlusion_patch"] = np.int64(OCCLUSION_PATCH)
        h5.attrs["occlusion_stride"] = np.int64(OCCLUSION_STRIDE)
        h5.attrs["occlusion_baseline"] = np.float64(OCCLUSION_BASELINE)
        model = h5.create_group("model")
        for key, value in net.state_dict().items():
            put(model, key, value)
        put(h5, "inputs", x32)
        put(h5, "labels", labels)
        noise = h5.create_group("noise")
        put(noise, "smoothgrad", smooth_noise)
        put(noise, "randomcam", random_weights)

        net = net.double()  # exact: every float32 value is a float64 value
        x = x32.double()
        with torch.no_grad():
            logits = net(x)
        put(h5, "logits", logits)
        put(h5, "predicted", logits.argmax(1))

        for layer in ("relu2", "conv2"):
            group = h5.create_group(layer)
            for method in GRADIENT_METHODS:
                put_result(group.create_group(method), *gradient_cam(net, x, layer, labels, method))
            if layer == "relu2":  # CAM needs the layer that feeds GAP + fc directly
                put_result(group.create_group("cam"), *class_activation_map(net, x, layer, labels))
            put_result(group.create_group("scorecam"), *score_cam(net, x, layer, labels))
            put_result(group.create_group("ablationcam"), *ablation_cam(net, x, layer, labels))
            put_result(group.create_group("eigencam"), *eigen_cam(net, x, layer, labels))
            put_result(group.create_group("randomcam"),
                       *random_cam(net, x, layer, labels, random_weights.double()))

        pixel = h5.create_group("pixel")
        gradcam_maps = to_maps(gradient_cam(net, x, "relu2", labels, "gradcam")[0])
        attributions = {
            "saliency": input_gradient(net, x, labels),
            "guided-backprop": input_gradient(net, x, labels, GuidedReLU),
            "deconvnet": input_gradient(net, x, labels, DeconvReLU),
            "integrated-gradients": integrated_gradients(net, x, labels),
            "smoothgrad": smooth_grad(net, x, labels, smooth_noise.double()),
        }
        attributions["guided-gradcam"] = attributions["guided-backprop"] * gradcam_maps[:, None]
        for method, attribution in attributions.items():
            put_result(pixel.create_group(method), magnitude(attribution), attributions=attribution)
        occluded = occlusion(net, x, labels)
        put_result(pixel.create_group("occlusion"), occluded[:, 0], attributions=occluded)

        variants = h5.create_group("variants")
        # Several layers: each layer's map upsampled and normalised, then the mean (raw, at input
        # size), normalised again for display.
        per_layer = [to_maps(gradient_cam(net, x, layer, labels, "gradcam")[0])
                     for layer in ("relu1", "relu2")]
        fused = torch.stack(per_layer).mean(0)
        put_result(variants.create_group("gradcam_relu1_relu2"), fused, maps=minmax(fused))
        put_result(variants.create_group("gradcam_aug_smooth"),
                   aug_smooth(lambda xa: gradient_cam(net, xa, "relu2", labels, "gradcam")[0], x))
        put_result(variants.create_group("gradcam_eigen_smooth"),
                   gradient_cam(net, x, "relu2", labels, "gradcam", eigen=True)[0])
        put_result(variants.create_group("gradcam++_conv2_eigen_smooth"),
                   gradient_cam(net, x, "conv2", labels, "gradcam++", eigen=True)[0])
        put_result(variants.create_group("gradcam_softmax_score"),
                   gradient_cam(net, x, "relu2", labels, "gradcam", score=softmax_score)[0])
        predicted = logits.argmax(1)
        put_result(variants.create_group("gradcam_predicted"),
                   gradient_cam(net, x, "relu2", predicted, "gradcam")[0])
        fixed = torch.full((N,), 2, dtype=torch.int64)
        put_result(variants.create_group("gradcam_fixed2"),
                   gradient_cam(net, x, "relu2", fixed, "gradcam")[0])
    print(f"{OUT_PATH}: {os.path.getsize(OUT_PATH)} bytes")


if __name__ == "__main__":
    main()
