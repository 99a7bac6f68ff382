"""Re-run a tools/ script under Debian's /usr/bin/python3 when the current interpreter lacks a
module: python3-torch, -torchvision, -h5py and -pil live in the system interpreter, and a
pyenv/venv `python3` first on PATH lacks them.

    import system_python
    system_python.require("torch", "torchvision", "h5py")   # returns, or re-executes the script
"""
import importlib
import os
import sys

SYSTEM_PYTHON = "/usr/bin/python3"


def require(*modules):
    try:
        for name in modules:
            importlib.import_module(name)
    except ImportError:
        if os.path.exists(SYSTEM_PYTHON) and os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON):
            os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON] + sys.argv)
        raise
