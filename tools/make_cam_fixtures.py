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

A second file, tests/fixtures/cam_extra.h5, holds the later methods (FEM, Faster Score-CAM, SS-CAM,
KPCA-CAM, Finer-CAM, DFF), computed for the network and inputs stored in cam.h5, which it reads:
    /noise/sscam [N, K', S, H, W]            standard normal draws SS-CAM scales by sigma
    /noise/dff_w [C, k], /noise/dff_h [k, N*h*w]  standard normal draws of DFF's initial factors
    /<layer>/<method>/{raw, maps, weights}   at relu2 and conv2, with the options as attributes
    /<layer>/dff/{concepts, concept_maps, scores}  DFF's whole factorization
    /variants/<name>/{raw, maps, weights}    other options (kernels, k, alpha, comparisons)
`python3 tools/make_cam_fixtures.py extra` rewrites cam_extra.h5 alone.
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
EXTRA_PATH = os.path.join("tests", "fixtures", "cam_extra.h5")
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


# ---------------------------------------------------------------------------------------------
# The later methods (cam_extra.h5)
# ---------------------------------------------------------------------------------------------

FEM_K = 2.0                # pytorch-grad-cam's default k
FASTER_TOP_K = 3           # channels kept by Faster Score-CAM in the fixture (default 10)
SSCAM_SAMPLES = 3          # noisy copies per channel in the fixture (default 35)
SSCAM_SIGMA = 0.5          # noise sigma in the fixture (default 2)
KPCA_COEF0 = 1.0           # scikit-learn's coef0 of the sigmoid and poly kernels
KPCA_DEGREE = 3            # scikit-learn's degree of the poly kernel
FINER_EPS = 1e-9           # pytorch-grad-cam's FinerWeightedTarget denominator
DFF_CONCEPTS = 3           # k in the fixture (default 5)
DFF_ITERATIONS = 50        # multiplicative updates in the fixture (default 200)
DFF_EPS = 1e-10            # added to the update denominators


def fem(net, x, layer, classes, k=FEM_K):
    """Fuad et al. 2020 as pytorch-grad-cam's fem.py: w_c = share of positions above mu + k sigma."""
    with torch.no_grad():
        _, (a,) = forward_capture(net, x, [layer])
    mu = a.mean((2, 3), keepdim=True)
    sigma = a.std((2, 3), unbiased=False, keepdim=True)  # numpy's np.std
    w = (a > mu + k * sigma).to(a.dtype).mean((2, 3))
    return reduce_contributions(weighted(w, a), False), w


def score_cam_masks(a):
    """Score-CAM's masks: upsampled (align_corners) and min-max per channel, [N, K, H, W]."""
    up = F.interpolate(a, size=(H, W), mode="bilinear", align_corners=True)
    lo = up.amin((2, 3), keepdim=True)
    hi = up.amax((2, 3), keepdim=True)
    return (up - lo) / (hi - lo + SCORECAM_EPS)


def masked_scores(net, x, masks, classes):
    """masks [N, K', H, W] -> the target logit of x * mask, [N, K']."""
    n, k = masks.shape[:2]
    masked = x[:, None] * masks[:, :, None]                                     # [N, K', C, H, W]
    logits = net(masked.reshape(n * k, C, H, W))
    return logit_score(logits, classes.repeat_interleave(k)).reshape(n, k)


def top_variance_channels(a, top_k):
    """[N, K'] channel indices by decreasing spatial variance; ties keep the lower index first."""
    var = a.var((2, 3), unbiased=False)
    return var.sort(stable=True, dim=1, descending=True).indices[:, :top_k]


def faster_score_cam(net, x, layer, classes, top_k=FASTER_TOP_K):
    """Score-CAM on the top_k channels of largest variance; the others weigh 0."""
    with torch.no_grad():
        _, (a,) = forward_capture(net, x, [layer])
        chosen = top_variance_channels(a, top_k)                                  # [N, K']
        masks = score_cam_masks(a).gather(1, chosen[:, :, None, None].expand(-1, -1, H, W))
        s = masked_scores(net, x, masks, classes)
        w = torch.zeros(a.shape[:2], dtype=a.dtype).scatter(1, chosen, s.softmax(1))
    return reduce_contributions(weighted(w, a), False), w


def ss_cam(net, x, layer, classes, noise, sigma=SSCAM_SIGMA):
    """Wang et al. 2020 (SS-CAM): each mask plus sigma * noise, the scores averaged over copies."""
    with torch.no_grad():
        _, (a,) = forward_capture(net, x, [layer])
        masks = score_cam_masks(a)                                                # [N, K, H, W]
        samples = noise.shape[2]
        total = torch.zeros(a.shape[:2], dtype=a.dtype)
        for j in range(samples):
            total += masked_scores(net, x, masks + sigma * noise[:, :, j], classes)
        w = (total / samples).softmax(1)
    return reduce_contributions(weighted(w, a), False), w


def kernel_matrix(rows, kernel, gamma):
    if kernel == "rbf":
        return torch.exp(-gamma * torch.cdist(rows, rows).pow(2))
    if kernel == "sigmoid":
        return torch.tanh(gamma * rows @ rows.T + KPCA_COEF0)
    if kernel == "poly":
        return (gamma * rows @ rows.T + KPCA_COEF0).pow(KPCA_DEGREE)
    if kernel == "linear":
        return rows @ rows.T
    raise ValueError(kernel)


def kernel_first_component(m, kernel, gamma):
    """m [K, h, w] -> [h, w]: scikit-learn's KernelPCA(n_components=1).fit_transform of the
    column-centred [hw, K] rows (as pytorch-grad-cam), sign as camlab's Eigen-CAM."""
    k, h, w = m.shape
    rows = m.reshape(k, h * w).T
    centred = rows - rows.mean(0, keepdim=True)
    g = 1.0 / k if gamma is None else gamma
    kern = kernel_matrix(centred, kernel, g)
    one = torch.full_like(kern, 1.0 / kern.shape[0])
    kc = kern - one @ kern - kern @ one + one @ kern @ one
    values, vectors = torch.linalg.eigh(kc)
    p = vectors[:, -1] * values[-1].clamp(min=0).sqrt()
    if float(p @ rows.mean(1)) < 0:
        p = -p
    return p.reshape(h, w)


def kpca_cam(net, x, layer, classes, kernel="sigmoid", gamma=None):
    with torch.no_grad():
        _, (a,) = forward_capture(net, x, [layer])
    projected = torch.stack([kernel_first_component(m, kernel, gamma) for m in a])
    return projected.clamp(min=0), None


def finer_score(logits, classes, alpha, comparisons):
    """pytorch-grad-cam's FinerWeightedTarget: the classes with the closest logits to the target's
    (the target itself excluded), each weighed by its softmax probability."""
    n, k = logits.shape
    m = min(comparisons, k - 1)
    y = logits.detach()
    distance = (y - y.gather(1, classes[:, None])).abs()
    distance.scatter_(1, classes[:, None], float("inf"))
    similar = distance.sort(stable=True, dim=1).indices[:, :m]                        # [N, m]
    p = logits.softmax(1).gather(1, similar)
    diff = logits.gather(1, classes[:, None]) - alpha * logits.gather(1, similar)
    return (p * diff).sum(1) / (p.sum(1) + FINER_EPS)


def finer_cam(net, x, layer, classes, alpha=1.0, comparisons=3):
    score = lambda logits, c: finer_score(logits, c, alpha, comparisons)
    return gradient_cam(net, x, layer, classes, "gradcam", score=score)


def factorize(a, draws_w, draws_h, iterations=DFF_ITERATIONS):
    """Collins et al. 2018 as pytorch-grad-cam's dff(): X [C, N*h*w] shifted per row to min 0,
    NMF by Lee & Seung's multiplicative updates from scikit-learn's random init scaled by
    sqrt(mean X / k), W then H each step. Returns concepts [C, k] and maps [N, k, h, w]."""
    n, c, h, w = a.shape
    k = draws_w.shape[1]
    x = a.permute(1, 0, 2, 3).reshape(c, -1)
    offset = x.amin(1, keepdim=True)
    x = x - offset
    scale = (x.mean() / k).sqrt()
    fw = draws_w.abs() * scale
    fh = draws_h.abs() * scale
    for _ in range(iterations):
        fw = fw * (x @ fh.T) / (fw @ (fh @ fh.T) + DFF_EPS)
        fh = fh * (fw.T @ x) / ((fw.T @ fw) @ fh + DFF_EPS)
    return fw + offset, fh.reshape(k, n, h, w).permute(1, 0, 2, 3)


def dff(net, x, layer, classes, draws_w, draws_h):
    """Each image's map: its best concept for its class (scores = fc on the concept vectors)."""
    with torch.no_grad():
        _, (a,) = forward_capture(net, x, [layer])
        concepts, maps = factorize(a, draws_w, draws_h)
        scores = net.fc(concepts.T)                                                # [k, classes]
    class_scores = scores[:, classes].T                                            # [N, k]
    best = class_scores.argmax(1)
    raw = maps[torch.arange(x.shape[0]), best]
    return raw, class_scores, concepts, maps, scores


def write_extra():
    with h5py.File(OUT_PATH, "r") as source:
        state = {key: torch.from_numpy(source["model"][key][()]) for key in source["model"]}
        x32 = torch.from_numpy(source["inputs"][()])
        labels = torch.from_numpy(source["labels"][()])
    net = make_net()
    net.load_state_dict(state)
    net = net.eval().double()
    x = x32.double()
    torch.manual_seed(1)
    sscam_noise = torch.randn(N, 6, SSCAM_SAMPLES, H, W, dtype=torch.float32)
    dff_w = torch.randn(6, DFF_CONCEPTS, dtype=torch.float32)
    dff_h = torch.randn(DFF_CONCEPTS, N * 6 * 6, dtype=torch.float32)

    with h5py.File(EXTRA_PATH, "w") as h5:
        h5.attrs["generator"] = "tools/make_cam_fixtures.py"
        h5.attrs["torch_version"] = str(torch.__version__)
        h5.attrs["fem_k"] = np.float64(FEM_K)
        h5.attrs["faster_top_k"] = np.int64(FASTER_TOP_K)
        h5.attrs["sscam_sigma"] = np.float64(SSCAM_SIGMA)
        h5.attrs["dff_iterations"] = np.int64(DFF_ITERATIONS)
        noise = h5.create_group("noise")
        put(noise, "sscam", sscam_noise)
        put(noise, "dff_w", dff_w)
        put(noise, "dff_h", dff_h)
        for layer in ("relu2", "conv2"):
            group = h5.create_group(layer)
            put_result(group.create_group("fem"), *fem(net, x, layer, labels))
            put_result(group.create_group("fasterscorecam"),
                       *faster_score_cam(net, x, layer, labels))
            put_result(group.create_group("sscam"),
                       *ss_cam(net, x, layer, labels, sscam_noise.double()))
            put_result(group.create_group("kpcacam"), *kpca_cam(net, x, layer, labels))
            put_result(group.create_group("finercam"), *finer_cam(net, x, layer, labels))
            raw, class_scores, concepts, maps, scores = dff(net, x, layer, labels,
                                                            dff_w.double(), dff_h.double())
            result = group.create_group("dff")
            put_result(result, raw, class_scores)
            put(result, "concepts", concepts)
            put(result, "concept_maps", maps)
            put(result, "scores", scores)
        variants = h5.create_group("variants")
        put_result(variants.create_group("fem_k1"), *fem(net, x, "relu2", labels, k=1.0))
        put_result(variants.create_group("fasterscorecam_all"),
                   *faster_score_cam(net, x, "relu2", labels, top_k=6))
        put_result(variants.create_group("kpcacam_rbf"),
                   *kpca_cam(net, x, "relu2", labels, kernel="rbf"))
        put_result(variants.create_group("kpcacam_rbf_gamma0.05"),
                   *kpca_cam(net, x, "relu2", labels, kernel="rbf", gamma=0.05))
        put_result(variants.create_group("kpcacam_poly"),
                   *kpca_cam(net, x, "relu2", labels, kernel="poly"))
        put_result(variants.create_group("kpcacam_linear"),
                   *kpca_cam(net, x, "relu2", labels, kernel="linear"))
        put_result(variants.create_group("finercam_alpha0.5_1"),
                   *finer_cam(net, x, "relu2", labels, alpha=0.5, comparisons=1))
        with torch.no_grad():
            predicted = net(x).argmax(1)
        put_result(variants.create_group("finercam_predicted"),
                   *finer_cam(net, x, "relu2", predicted))
    print(f"{EXTRA_PATH}: {os.path.getsize(EXTRA_PATH)} bytes")


if __name__ == "__main__":
    if sys.argv[1:] != ["extra"]:
        main()
    write_extra()
