"""landsym: loss-landscape geometry of small neural networks under permutation symmetry.

Python bindings of liblandsym (cffi, API mode): every number is computed by the C library.
See docs/python.md.
"""
from . import count, paths, split, sym, weights
from ._core import ffi as _ffi, lib as _lib
from .config import Config
from .data import Data
from .errors import (ClosedError, ComputeError, InputError, LandsymError, LandsymIOError,
                     OutOfMemory)
from .landscape import Landscape
from .net import Net
from .paths import path
from .sweep import classify_dir, sweep
from .train import train, train_config

__version__ = "0.1.0"


def kernel():
    """The kernel the library's hot loops run on this CPU (ls_kernel_name)."""
    return _ffi.string(_lib.ls_kernel_name()).decode()


__all__ = ["Net", "Data", "Config", "Landscape", "train", "train_config", "sweep", "classify_dir", "path", "count", "paths", "split", "sym", "weights",
           "LandsymError", "InputError", "ComputeError", "LandsymIOError", "OutOfMemory",
           "ClosedError", "kernel"]
