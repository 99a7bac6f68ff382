#!/usr/bin/python3
"""Write the PyTorch reference fixtures that camlab's C++ tests compare against.

Run from the repository root:  python3 tools/make_fixtures.py
It rewrites tests/fixtures/{conv2d,pool,upsample,batchnorm,softmax,convnet,bottleneck}.h5;
`python3 tools/make_fixtures.py bottleneck` rewrites only the files named.

Conventions (the C++ reader, tests/support/fixture.h, relies on them):
- one HDF5 group per case, named after what it tests (e.g. /k3x3_s2_p1_d1_g1_bias);
- inputs are float32 (int64 for class targets), stored under their PyTorch argument names,
  with `x` for the main input;
- `y` is the forward output and `grad_<input>` the gradient of every differentiable input, both
  computed in float64 from the very same float32 inputs, stored as float64;
- `grad_y` is the random float32 upstream gradient that the backward pass was seeded with;
- op parameters are group attributes (int64 arrays, doubles, strings; booleans as int 0/1).
"""
import os
import re
import sys

try:
    import h5py
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError:
    # Debian's python3-torch lives in the system interpreter; a pyenv/venv `python3` lacks it.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

OUT_DIR = os.path.join("tests", "fixtures")


# ---------------------------------------------------------------------------------------------
# Writing helpers
# ---------------------------------------------------------------------------------------------

def randn(*shape):
    return torch.randn(list(shape), dtype=torch.float32)


def put(group, name, value):
    array = value.detach().cpu().numpy() if torch.is_tensor(value) else np.asarray(value)
    # track_times=False keeps the file bytes identical from run to run.
    group.create_dataset(name, data=array, track_times=False)


def put_attrs(group, attrs):
    for key, value in attrs.items():
        if isinstance(value, str):
            group.attrs[key] = str(value)
        elif isinstance(value, bool):
            group.attrs[key] = np.int64(int(value))
        elif isinstance(value, int):
            group.attrs[key] = np.int64(value)
        elif isinstance(value, float):
            group.attrs[key] = np.float64(value)
        elif isinstance(value, (list, tuple)):
            group.attrs[key] = np.asarray(value, dtype=np.int64)
        else:
            raise TypeError(f"attribute {key}: unsupported type {type(value).__name__}")


def write_case(h5, name, inputs, fn, attrs, grads=None):
    """Store `inputs`, run `fn` in float64 on them, store y, grad_y and the input gradients.

    inputs: ordered dict name -> float32 or int64 tensor (or None for an absent optional input)
    fn:     takes the float64 (or int64) tensors as keyword arguments, returns y
    grads:  names of the inputs to differentiate; default every floating input
    """
    # Case names double as GoogleTest parameter names, which allow only [A-Za-z0-9_].
    assert re.fullmatch(r"[A-Za-z0-9_]+", name), f"bad case name {name!r}"
    group = h5.create_group(name)
    put_attrs(group, attrs)
    present = {k: v for k, v in inputs.items() if v is not None}
    if grads is None:
        grads = [k for k, v in present.items() if v.is_floating_point()]
    args = {}
    for key, value in present.items():
        put(group, key, value)
        if value.is_floating_point():
            value = value.double().requires_grad_(key in grads)
        args[key] = value
    for key in inputs:
        args.setdefault(key, None)

    y = fn(**args)
    grad_y = randn(*y.shape)
    y.backward(grad_y.double())
    put(group, "y", y)
    put(group, "grad_y", grad_y)
    for key in grads:
        put(group, "grad_" + key, args[key].grad)
    return group


def open_fixture(file_name):
    torch.manual_seed(0)  # per file, so each file is reproducible on its own
    h5 = h5py.File(os.path.join(OUT_DIR, file_name), "w")
    h5.attrs["generator"] = "tools/make_fixtures.py"
    h5.attrs["torch_version"] = str(torch.__version__)
    return h5


def pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


# ---------------------------------------------------------------------------------------------
# conv2d.h5
# ---------------------------------------------------------------------------------------------

def make_conv2d():
    # (x shape, weight shape, bias, stride, padding, dilation, groups)
    cases = [
        ([2, 4, 7, 6], [6, 4, 3, 3], True, 1, 0, 1, 1),
        ([2, 4, 7, 6], [6, 4, 3, 3], False, 1, 1, 1, 1),
        ([2, 4, 7, 6], [6, 4, 3, 3], True, 2, 1, 1, 1),
        ([2, 4, 7, 6], [6, 4, 3, 3], True, 1, 2, 2, 1),
        ([2, 4, 7, 6], [6, 4, 3, 3], False, 2, 2, 2, 1),
        ([2, 4, 7, 6], [6, 2, 3, 3], True, 1, 1, 1, 2),
        ([2, 4, 7, 6], [4, 1, 3, 3], True, 1, 1, 1, 4),   # depthwise
        ([2, 4, 7, 6], [8, 1, 3, 3], False, 2, 1, 1, 4),  # depthwise, channel multiplier 2
        ([2, 4, 7, 6], [5, 4, 3, 1], True, [2, 1], [1, 0], 1, 1),  # 3x1 kernel
        ([2, 4, 7, 6], [6, 2, 2, 3], True, [1, 2], [2, 1], [2, 1], 2),  # everything asymmetric
        ([2, 4, 7, 6], [3, 4, 1, 1], True, 1, 0, 1, 1),   # 1x1
        ([1, 1, 5, 5], [2, 1, 5, 5], True, 1, 0, 1, 1),   # kernel covers the whole image
    ]
    with open_fixture("conv2d.h5") as h5:
        for x_shape, w_shape, has_bias, stride, padding, dilation, groups in cases:
            stride, padding, dilation = pair(stride), pair(padding), pair(dilation)

            def dims(v):
                return f"{v[0]}" if v[0] == v[1] else f"{v[0]}x{v[1]}"

            name = (f"k{w_shape[2]}x{w_shape[3]}_s{dims(stride)}_p{dims(padding)}_d{dims(dilation)}"
                    f"_g{groups}_o{w_shape[0]}" + ("_bias" if has_bias else ""))
            inputs = {"x": randn(*x_shape), "weight": randn(*w_shape),
                      "bias": randn(w_shape[0]) if has_bias else None}
            write_case(h5, name, inputs,
                       lambda x, weight, bias: F.conv2d(x, weight, bias, stride, padding, dilation, groups),
                       {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups})


# ---------------------------------------------------------------------------------------------
# pool.h5
# ---------------------------------------------------------------------------------------------

def tie_free(*shape):
    x = randn(*shape)
    assert torch.unique(x).numel() == x.numel(), "max_pool2d fixture input has ties"
    return x


def make_pool():
    with open_fixture("pool.h5") as h5:
        for kernel, stride, padding, shape in [
            (2, 2, 0, [2, 3, 8, 7]),
            (3, 2, 1, [2, 3, 7, 6]),
            (3, 1, 1, [2, 3, 5, 6]),
            ([3, 2], [2, 1], [1, 0], [2, 3, 7, 6]),
        ]:
            kernel, stride, padding = pair(kernel), pair(stride), pair(padding)
            name = (f"max_k{kernel[0]}x{kernel[1]}_s{stride[0]}x{stride[1]}"
                    f"_p{padding[0]}x{padding[1]}")
            write_case(h5, name, {"x": tie_free(*shape)},
                       lambda x: F.max_pool2d(x, kernel, stride, padding, ceil_mode=False),
                       {"op": "max_pool2d", "kernel": kernel, "stride": stride, "padding": padding,
                        "ceil_mode": 0})

        for kernel, stride, padding, include, shape in [
            (2, 2, 0, True, [2, 3, 8, 7]),
            (3, 2, 1, True, [2, 3, 7, 6]),
            (3, 2, 1, False, [2, 3, 7, 6]),
            ([3, 2], [1, 2], [1, 1], False, [2, 3, 5, 6]),
        ]:
            kernel, stride, padding = pair(kernel), pair(stride), pair(padding)
            name = (f"avg_k{kernel[0]}x{kernel[1]}_s{stride[0]}x{stride[1]}"
                    f"_p{padding[0]}x{padding[1]}" + ("_incpad" if include else "_excpad"))
            write_case(h5, name, {"x": randn(*shape)},
                       lambda x: F.avg_pool2d(x, kernel, stride, padding, ceil_mode=False,
                                              count_include_pad=include),
                       {"op": "avg_pool2d", "kernel": kernel, "stride": stride, "padding": padding,
                        "ceil_mode": 0, "count_include_pad": int(include)})

        for out_size, shape in [([1, 1], [2, 3, 7, 5]), ([3, 2], [2, 3, 7, 5]), ([7, 5], [1, 2, 7, 5])]:
            name = f"adaptive_avg_{shape[2]}x{shape[3]}_to_{out_size[0]}x{out_size[1]}"
            write_case(h5, name, {"x": randn(*shape)},
                       lambda x: F.adaptive_avg_pool2d(x, out_size),
                       {"op": "adaptive_avg_pool2d", "output_size": out_size})


# ---------------------------------------------------------------------------------------------
# upsample.h5
# ---------------------------------------------------------------------------------------------

def make_upsample():
    with open_fixture("upsample.h5") as h5:
        for mode, align, shape, out_size, scale in [
            ("bilinear", False, [2, 3, 5, 7], [10, 14], 2),
            ("bilinear", True, [2, 3, 5, 7], [10, 14], 2),
            ("nearest", False, [2, 3, 5, 7], [10, 14], 2),
            ("bilinear", False, [2, 3, 5, 7], [11, 9], None),
            ("bilinear", True, [2, 3, 5, 7], [11, 9], None),
            ("nearest", False, [2, 3, 5, 7], [11, 9], None),
            ("bilinear", False, [1, 2, 8, 8], [3, 5], None),
            ("bilinear", True, [1, 2, 8, 8], [3, 5], None),
            ("nearest", False, [1, 2, 8, 8], [3, 5], None),
        ]:
            how = "x2" if scale else "to"
            name = (f"{mode}_{'ac1' if align else 'ac0'}_{shape[2]}x{shape[3]}_{how}_"
                    f"{out_size[0]}x{out_size[1]}")
            if mode == "nearest":
                name = name.replace("_ac0", "")
            kwargs = {"mode": mode}
            if mode == "bilinear":
                kwargs["align_corners"] = align
            if scale:
                kwargs["scale_factor"] = scale
            else:
                kwargs["size"] = out_size
            attrs = {"mode": mode, "align_corners": int(align), "out_size": out_size}
            if scale:
                attrs["scale_factor"] = float(scale)
            write_case(h5, name, {"x": randn(*shape)},
                       lambda x: F.interpolate(x, **kwargs), attrs)


# ---------------------------------------------------------------------------------------------
# batchnorm.h5
# ---------------------------------------------------------------------------------------------

def make_batchnorm():
    momentum, eps = 0.1, 1e-5
    with open_fixture("batchnorm.h5") as h5:
        for name, training, shape in [
            ("train", True, [4, 3, 5, 6]),
            ("eval", False, [4, 3, 5, 6]),
            ("train_n1", True, [1, 2, 4, 3]),
        ]:
            c = shape[1]
            running_mean = randn(c) * 0.5
            running_var = torch.rand(c, dtype=torch.float32) + 0.5
            inputs = {"x": randn(*shape) * 2 + 1, "weight": randn(c), "bias": randn(c),
                      "running_mean": running_mean, "running_var": running_var}
            # batch_norm updates the running stats in place; keep the float64 copies it updates.
            after = {}

            def fn(x, weight, bias, running_mean, running_var):
                rm, rv = running_mean.detach().clone(), running_var.detach().clone()
                y = F.batch_norm(x, rm, rv, weight, bias, training=training, momentum=momentum, eps=eps)
                after["mean"], after["var"] = rm, rv
                return y

            group = write_case(h5, name, inputs, fn,
                               {"training": int(training), "momentum": momentum, "eps": eps},
                               grads=["x", "weight", "bias"])
            put(group, "running_mean_after", after["mean"])
            put(group, "running_var_after", after["var"])


# ---------------------------------------------------------------------------------------------
# softmax.h5
# ---------------------------------------------------------------------------------------------

def make_softmax():
    with open_fixture("softmax.h5") as h5:
        for op, fn in [("softmax", F.softmax), ("log_softmax", F.log_softmax)]:
            for shape, dim in [([4, 5], 1), ([2, 3, 4], 1), ([2, 3, 4], 2)]:
                name = f"{op}_{len(shape)}d_dim{dim}"
                write_case(h5, name, {"x": randn(*shape) * 3},
                           lambda x: fn(x, dim=dim), {"op": op, "dim": dim})

        n, k = 6, 5
        loss_attrs = {"reduction": "mean"}
        for name, smoothing, with_weight, shape in [
            ("cross_entropy", 0.0, False, [n, k]),
            ("cross_entropy_smoothing", 0.1, False, [n, k]),
            ("cross_entropy_weight", 0.0, True, [n, k]),
            ("cross_entropy_4d", 0.0, False, [2, 4, 3, 3]),  # per-pixel, as in segmentation
        ]:
            target_shape = [shape[0]] + shape[2:]
            inputs = {"x": randn(*shape) * 2,
                      "target": torch.randint(0, shape[1], target_shape, dtype=torch.int64),
                      "weight": torch.rand(shape[1], dtype=torch.float32) + 0.5 if with_weight else None}
            write_case(h5, name, inputs,
                       lambda x, target, weight: F.cross_entropy(x, target, weight=weight,
                                                                 label_smoothing=smoothing),
                       {"op": "cross_entropy", "label_smoothing": smoothing, **loss_attrs},
                       grads=["x"])

        for name, with_weight in [("nll_loss", False), ("nll_loss_weight", True)]:
            inputs = {"x": F.log_softmax(randn(n, k), dim=1),
                      "target": torch.randint(0, k, [n], dtype=torch.int64),
                      "weight": torch.rand(k, dtype=torch.float32) + 0.5 if with_weight else None}
            write_case(h5, name, inputs,
                       lambda x, target, weight: F.nll_loss(x, target, weight=weight),
                       {"op": "nll_loss", **loss_attrs}, grads=["x"])

        inputs = {"x": randn(n, k) * 2, "target": (torch.rand(n, k) < 0.4).float()}
        write_case(h5, "bce_with_logits", inputs,
                   lambda x, target: F.binary_cross_entropy_with_logits(x, target),
                   {"op": "binary_cross_entropy_with_logits", **loss_attrs}, grads=["x"])

        inputs = {"x": randn(3, 4), "target": randn(3, 4)}
        write_case(h5, "mse_loss", inputs, lambda x, target: F.mse_loss(x, target),
                   {"op": "mse_loss", **loss_attrs}, grads=["x", "target"])


# ---------------------------------------------------------------------------------------------
# convnet.h5
# ---------------------------------------------------------------------------------------------

class GapNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(4, 8, 3, padding=1)
        self.fc = torch.nn.Linear(8, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.adaptive_avg_pool2d(F.relu(self.conv2(x)), 1).flatten(1)
        return self.fc(x)


def make_convnet():
    with open_fixture("convnet.h5") as h5:
        net = GapNet()  # default PyTorch init, float32
        x = randn(4, 1, 12, 12)
        target = torch.tensor([0, 2, 1, 2], dtype=torch.int64)
        group = h5.create_group("gapnet")
        put_attrs(group, {"layers": "conv1(1->4,3x3,pad1) relu maxpool2 conv2(4->8,3x3,pad1) relu "
                                    "global_avg_pool fc(8->3) cross_entropy(mean)"})
        for key, value in net.state_dict().items():
            put(group, key, value)
        put(group, "x", x)
        put(group, "target", target)

        net = net.double()  # exact: every float32 value is a float64 value
        xd = x.double().requires_grad_()
        logits = net(xd)
        loss = F.cross_entropy(logits, target)
        loss.backward()
        put(group, "logits", logits)
        put(group, "loss", loss)
        for key, param in net.named_parameters():
            put(group, "grad_" + key, param.grad)
        put(group, "grad_x", xd.grad)


# ---------------------------------------------------------------------------------------------
# bottleneck.h5
# ---------------------------------------------------------------------------------------------

def make_bottleneck():
    """torchvision's ResNet Bottleneck, with a projection shortcut and without.

    Per case: the state dict (random BN affine and running statistics, so eval mode is not the
    identity), x, y_eval (eval mode), y_train (batch statistics), and the gradients of
    sum(y_train * grad_y) with respect to x and every parameter; all in float64 from float32 values.
    """
    from torchvision.models.resnet import Bottleneck
    with open_fixture("bottleneck.h5") as h5:
        for name, inplanes, planes, stride in [("down", 8, 4, 2), ("identity", 16, 4, 1)]:
            out = planes * Bottleneck.expansion
            downsample = None
            if stride != 1 or inplanes != out:
                downsample = torch.nn.Sequential(
                    torch.nn.Conv2d(inplanes, out, 1, stride=stride, bias=False),
                    torch.nn.BatchNorm2d(out))
            block = Bottleneck(inplanes, planes, stride, downsample)
            for module in block.modules():
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.weight.data = torch.rand(module.num_features) + 0.5
                    module.bias.data = randn(module.num_features) * 0.2
                    module.running_mean = randn(module.num_features) * 0.2
                    module.running_var = torch.rand(module.num_features) + 0.5
            group = h5.create_group(name)
            put_attrs(group, {"inplanes": inplanes, "planes": planes, "stride": stride})
            for key, value in block.state_dict().items():
                if not key.endswith("num_batches_tracked"):
                    put(group, key, value)
            x = randn(2, inplanes, 6, 6)
            put(group, "x", x)
            block = block.double()
            block.eval()
            put(group, "y_eval", block(x.double()))
            block.train()
            xd = x.double().requires_grad_()
            y = block(xd)
            grad_y = randn(*y.shape)
            (y * grad_y.double()).sum().backward()
            put(group, "y_train", y)
            put(group, "grad_y", grad_y)
            put(group, "grad_x", xd.grad)
            for key, param in block.named_parameters():
                put(group, "grad_" + key, param.grad)


def main():
    if not os.path.isdir(os.path.join("tools")) or not os.path.exists(os.path.join("tools", "make_fixtures.py")):
        sys.exit("make_fixtures.py: run me from the repository root: python3 tools/make_fixtures.py")
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.set_num_threads(1)  # identical reductions from run to run
    makers = {"conv2d": make_conv2d, "pool": make_pool, "upsample": make_upsample,
              "batchnorm": make_batchnorm, "softmax": make_softmax, "convnet": make_convnet,
              "bottleneck": make_bottleneck}
    for name in sys.argv[1:] or makers:
        if name not in makers:
            sys.exit(f"make_fixtures.py: no fixture '{name}'; valid: {', '.join(makers)}")
        makers[name]()
    for name in sorted(os.listdir(OUT_DIR)):
        if name.endswith(".h5"):
            print(f"{os.path.join(OUT_DIR, name)}: {os.path.getsize(os.path.join(OUT_DIR, name))} bytes")


if __name__ == "__main__":
    main()
