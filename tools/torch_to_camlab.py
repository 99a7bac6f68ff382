#!/usr/bin/python3
"""Convert a PyTorch state_dict (.pt) into a camlab checkpoint (HDF5) that camlab can explain.

    python3 tools/torch_to_camlab.py model.pt model.h5 --config experiments/configs/fmnist-gapnet.toml
    build/camlab explain model.h5 --methods gradcam --out explained/

The checkpoint follows docs/formats.md: root attributes format = "camlab-checkpoint", version = 1,
config (the TOML text of --config: it tells camlab the architecture and the data), epoch, step;
/model/<dotted name> as float32 (int64 for integer buffers such as num_batches_tracked), in
PyTorch's layouts, which are camlab's. The torch model's module names must be the ones camlab's
builder gives the config's layers (conv1, relu1, ..., fc); camlab reports any missing or
unexpected name when it loads the file. Accepts a bare state_dict, a pickled nn.Module, or a dict
holding one under "state_dict", "model_state_dict" or "model"; a DataParallel "module." prefix is
dropped.
"""
import argparse
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
VERSION = 1


def load_state_dict(path):
    try:
        loaded = torch.load(path, map_location="cpu")
    except Exception as e:  # torch raises many kinds for a bad file
        sys.exit(f"torch_to_camlab: cannot load {path}: {e}")
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    if isinstance(loaded, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(loaded.get(key), dict):
                loaded = loaded[key]
                break
    if not isinstance(loaded, dict) or not all(torch.is_tensor(v) for v in loaded.values()):
        sys.exit(f"torch_to_camlab: {path} holds no state_dict (a dict of name -> tensor)")
    if loaded and all(k.startswith("module.") for k in loaded):
        loaded = {k[len("module."):]: v for k, v in loaded.items()}
    return loaded


def write_checkpoint(path, state, config_text, epoch, step):
    """Written to <path>.tmp then renamed, as camlab does: never a half-written file."""
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.attrs["format"] = FORMAT
        f.attrs["version"] = np.int64(VERSION)
        f.attrs["config"] = config_text
        f.attrs["epoch"] = np.int64(epoch)
        f.attrs["step"] = np.int64(step)
        model = f.create_group("model", track_order=True)
        for name, tensor in state.items():
            if "/" in name:
                sys.exit(f"torch_to_camlab: tensor name '{name}' contains '/', which HDF5 reads as a group")
            array = tensor.detach().cpu().contiguous().numpy()
            if array.dtype.kind == "f":
                array = array.astype(np.float32)
            elif array.dtype.kind in "iu":
                array = array.astype(np.int64)
            else:
                sys.exit(f"torch_to_camlab: tensor '{name}' has dtype {tensor.dtype}; camlab stores floating and integer tensors")
            model.create_dataset(name, data=array)
        f.create_group("optimizer")
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("state_dict", help="PyTorch .pt file")
    parser.add_argument("out", help="camlab checkpoint to write (.h5)")
    parser.add_argument("--config", required=True,
                        help="camlab experiment TOML describing the same architecture")
    parser.add_argument("--epoch", type=int, default=0, help="root attribute epoch (default 0)")
    parser.add_argument("--step", type=int, default=0, help="root attribute step (default 0)")
    args = parser.parse_args()

    with open(args.config, encoding="utf-8") as f:
        config_text = f.read()
    state = load_state_dict(args.state_dict)
    write_checkpoint(args.out, state, config_text, args.epoch, args.step)
    print(f"wrote {args.out}: {len(state)} tensors with the config of {args.config}")


if __name__ == "__main__":
    main()
