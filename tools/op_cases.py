"""PyTorch references for the op-case table (tests/tensor/op_cases.cpp): tests/fixtures/op_cases.h5.

tools/make_fixtures.py calls write(); alone:  python3 tools/op_cases.py  (from the repository root).

One group per case that the C++ table marks `fixture`, named as the case. Inputs in0, in1, ... are
float64 (int64 for indices, int64 0/1 for masks), drawn as the C++ InputKind says; outputs out0,
out1, ... are float64 (int64 for index results), computed by PyTorch in float64. The shapes and
parameters below mirror the C++ cases: the C++ test fails on a shape that differs, and a parameter
that differs shows up as different values.
"""
import os
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

OUT = os.path.join("tests", "fixtures", "op_cases.h5")

# (shape, kind[, high]); kinds as tests/tensor/op_cases.h's InputKind.
FLOAT, POSITIVE, CONSTANT, INDEX, MASK = "float", "positive", "constant", "index", "mask"


def draw(shape, kind, high=0):
    if kind == FLOAT:
        return torch.rand(shape, dtype=torch.float64) * 4 - 2
    if kind in (POSITIVE, CONSTANT):
        return torch.rand(shape, dtype=torch.float64) * 1.5 + 0.5
    if kind == INDEX:
        return torch.randint(0, high, shape, dtype=torch.int64)
    if kind == MASK:
        return torch.rand(shape, dtype=torch.float64) < 0.5
    raise ValueError(kind)


def unary(fn, kind=FLOAT):
    # x [3, 4] through a transpose: the C++ case calls f(transpose(x, 0, 1))
    return [([3, 4], kind)], lambda x: fn(x.t())


def binary(fn, a_kind=FLOAT, b_kind=FLOAT):
    return [([2, 3], a_kind), ([3], b_kind)], fn


CONV = dict(stride=(2, 1), padding=(1, 1), dilation=(1, 1))
POOL = dict(kernel_size=3, stride=2, padding=1)

CASES = {
    "copy": ([([3, 4], FLOAT)], lambda x: x.t().contiguous()),
    "neg": unary(torch.neg),
    "exp": unary(torch.exp),
    "log": unary(torch.log, POSITIVE),
    "sqrt": unary(torch.sqrt, POSITIVE),
    "rsqrt": unary(torch.rsqrt, POSITIVE),
    "abs": unary(torch.abs),
    "sign": unary(torch.sign),
    "relu": unary(torch.relu),
    "sigmoid": unary(torch.sigmoid),
    "tanh": unary(torch.tanh),
    "gelu": unary(F.gelu),
    "erf": unary(torch.erf),
    "leaky_relu": unary(lambda x: F.leaky_relu(x, 0.1)),
    "elu": unary(lambda x: F.elu(x, 0.7)),
    "clamp": unary(lambda x: torch.clamp(x, -0.5, 1.0)),
    "pow_scalar": unary(lambda x: torch.pow(x, 2.5), POSITIVE),
    "add_scalar": unary(lambda x: x + 3.0),
    "mul_scalar": unary(lambda x: x * -2.0),
    "add": binary(torch.add),
    "sub": binary(torch.sub),
    "mul": binary(torch.mul),
    "div": binary(torch.div, FLOAT, POSITIVE),
    "pow": binary(torch.pow, POSITIVE, FLOAT),
    "minimum": binary(torch.minimum),
    "maximum": binary(torch.maximum),
    "where": ([([2, 3], MASK), ([2, 3], FLOAT), ([3], FLOAT)], torch.where),
    "sum": ([([3, 4, 5], FLOAT)], lambda x: x.sum(dim=(0, 2))),
    "amax": ([([3, 4, 5], FLOAT)], lambda x: torch.amax(x, dim=1, keepdim=True)),
    "amin": ([([3, 4, 5], FLOAT)], lambda x: torch.amin(x, dim=2)),
    "argmax": ([([3, 4, 5], FLOAT)], lambda x: torch.argmax(x, dim=1)),
    "argmin": ([([3, 4, 5], FLOAT)], lambda x: torch.argmin(x, dim=2)),
    "softmax": ([([3, 4, 5], FLOAT)], lambda x: torch.softmax(x, 1)),
    "log_softmax": ([([3, 4, 5], FLOAT)], lambda x: torch.log_softmax(x, 2)),
    "matmul": ([([2, 3, 4], FLOAT), ([4, 5], FLOAT)], torch.matmul),
    # x [2, 3, 7, 6], kernel 3x3, stride (2, 1), padding 1: cols [2, 27, 24]
    "im2col": ([([2, 3, 7, 6], FLOAT)], lambda x: F.unfold(x, (3, 3), **CONV)),
    "col2im": ([([2, 27, 24], FLOAT)], lambda c: F.fold(c, (7, 6), (3, 3), **CONV)),
    "conv2d_forward": ([([2, 3, 7, 6], FLOAT), ([4, 3, 3, 3], FLOAT), ([4], FLOAT)],
                       lambda x, w, b: F.conv2d(x, w, b, **CONV)),
    "max_pool2d": ([([2, 3, 7, 6], FLOAT)], lambda x: F.max_pool2d(x, **POOL)),
    "avg_pool2d": ([([2, 3, 7, 6], FLOAT)], lambda x: F.avg_pool2d(x, **POOL)),
    "adaptive_avg_pool2d": ([([2, 3, 7, 6], FLOAT)], lambda x: F.adaptive_avg_pool2d(x, (3, 4))),
    "upsample_bilinear2d": ([([2, 3, 4, 5], FLOAT)],
                            lambda x: F.interpolate(x, size=(7, 9), mode="bilinear",
                                                    align_corners=False)),
    "upsample_nearest2d": ([([2, 3, 4, 5], FLOAT)],
                           lambda x: F.interpolate(x, size=(7, 9), mode="nearest")),
    "batch_norm_stats": ([([4, 3, 2, 5], FLOAT), ([3], FLOAT), ([3], FLOAT)],
                         lambda x, w, b: F.batch_norm(x, None, None, w, b, True, 0.1, 1e-5)),
    "batch_norm_apply": ([([4, 3, 2, 5], FLOAT), ([3], FLOAT), ([3], FLOAT), ([3], CONSTANT),
                          ([3], CONSTANT)],
                         lambda x, w, b, m, v: F.batch_norm(x, m, v, w, b, False, 0.1, 1e-5)),
    "index_select": ([([4, 5], FLOAT), ([6], INDEX, 5)], lambda x, i: torch.index_select(x, 1, i)),
    "gather": ([([4, 5], FLOAT), ([4, 3], INDEX, 5)], lambda x, i: torch.gather(x, 1, i)),
    "scatter_add": ([([4, 5], FLOAT), ([4, 3], INDEX, 5), ([4, 3], FLOAT)],
                    lambda x, i, s: torch.scatter_add(x, 1, i, s)),
    "masked_fill": ([([4, 5], FLOAT), ([5], MASK)], lambda x, m: x.masked_fill(m, -0.25)),
}


def stored(t):
    array = t.detach().numpy()
    return array.astype(np.int64) if array.dtype == np.bool_ else array


def write(path=OUT):
    torch.manual_seed(0)
    with h5py.File(path, "w") as h5:
        h5.attrs["generator"] = "tools/op_cases.py"
        h5.attrs["torch_version"] = str(torch.__version__)
        for name, (specs, fn) in sorted(CASES.items()):
            group = h5.create_group(name)
            inputs = [draw(*spec) for spec in specs]
            outputs = fn(*inputs)
            outputs = outputs if isinstance(outputs, (tuple, list)) else [outputs]
            for i, t in enumerate(inputs):
                group.create_dataset(f"in{i}", data=stored(t), track_times=False)
            for o, t in enumerate(outputs):
                group.create_dataset(f"out{o}", data=stored(t), track_times=False)


if __name__ == "__main__":
    if not os.path.isdir(os.path.join("tests", "fixtures")):
        sys.exit("op_cases.py: run me from the repository root: python3 tools/op_cases.py")
    torch.set_num_threads(1)
    write()
    print(f"{OUT}: {os.path.getsize(OUT)} bytes")
