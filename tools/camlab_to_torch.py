#!/usr/bin/python3
"""Convert a camlab checkpoint (HDF5) into a PyTorch state_dict (.pt).

    python3 tools/camlab_to_torch.py runs/fmnist-gapnet/best.h5 gapnet.pt [--config-out gapnet.toml]

camlab stores /model/<dotted name> in PyTorch's names and layouts (conv OIHW, linear [out, in],
float32; int64 for BatchNorm's num_batches_tracked), so the conversion is a copy: load the result
with `model.load_state_dict(torch.load("gapnet.pt"))` into a torch model whose modules have the
same names (an nn.Sequential with an OrderedDict of conv1, relu1, ... fc, as camlab's builder
names them). The run's config (the TOML that describes the architecture) is in the checkpoint's
`config` attribute; --config-out writes it next to the weights.
"""
import argparse
import collections
import os
import sys

try:
    import h5py
    import numpy as np
    import torch
except ImportError:
    # Debian's python3-torch lives in the system interpreter; a pyenv/venv `python3` lacks it.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

FORMAT = "camlab-checkpoint"
MAX_VERSION = 1


def text_attribute(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def read_checkpoint(path):
    """(state_dict, attributes) of a camlab checkpoint; exits with one line on a bad file."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        sys.exit(f"camlab_to_torch: cannot open {path}: {e}")
    with f:
        fmt = text_attribute(f.attrs.get("format", b"<missing>"))
        if fmt != FORMAT:
            sys.exit(f"camlab_to_torch: {path} is not a camlab checkpoint (format '{fmt}', expected '{FORMAT}')")
        version = int(f.attrs.get("version", -1))
        if not 1 <= version <= MAX_VERSION:
            sys.exit(f"camlab_to_torch: {path} has checkpoint version {version}; this script reads 1 to {MAX_VERSION}")
        if "model" not in f:
            sys.exit(f"camlab_to_torch: {path} has no /model group")
        state = collections.OrderedDict()
        for name, dataset in f["model"].items():
            array = np.asarray(dataset[()])
            # camlab writes float32 parameters and buffers and int64 counters, as PyTorch has them.
            if array.dtype.kind == "f":
                array = array.astype(np.float32)
            elif array.dtype.kind in "iu":
                array = array.astype(np.int64)
            state[name] = torch.from_numpy(np.ascontiguousarray(array))
        attributes = {key: f.attrs[key] for key in f.attrs.keys()}
    return state, attributes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="camlab checkpoint .h5 (checkpoint.h5, best.h5)")
    parser.add_argument("out", help="the PyTorch state_dict to write (.pt)")
    parser.add_argument("--config-out", help="also write the checkpoint's config (TOML) here")
    args = parser.parse_args()

    state, attributes = read_checkpoint(args.checkpoint)
    tmp = args.out + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, args.out)
    if args.config_out:
        with open(args.config_out, "w", encoding="utf-8") as out:
            out.write(text_attribute(attributes.get("config", "")))
    parameters = sum(t.numel() for t in state.values() if t.is_floating_point())
    print(f"wrote {args.out}: {len(state)} tensors, {parameters} values "
          f"(epoch {int(attributes.get('epoch', 0))}, step {int(attributes.get('step', 0))})")


if __name__ == "__main__":
    main()
