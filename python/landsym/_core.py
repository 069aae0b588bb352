"""The compiled extension and the argument checks shared by every module.

Arrays cross into C without copies: a float64, C-contiguous numpy array of the right shape
is passed by pointer (ffi.from_buffer). Anything else is refused with a clear exception;
lists and tuples are converted (they have no layout to keep). NaN and infinities are
checked by the library, which names the array and the position."""
import threading

import numpy as np

from ._ffi import ffi, lib
from .errors import ClosedError, raise_for

__all__ = ["ffi", "lib", "check", "as_array", "out_array", "ptr", "cstr", "Closable"]

_F64 = np.dtype(np.float64)
_ND = np.ndarray


def check(status, err):
    """Raise the library's error for a non-zero status."""
    if status:
        raise_for(status, err)


def cstr(p):
    return ffi.string(p).decode("utf-8", "replace")


def as_array(a, shape, name):
    """a as a float64 C-order array of `shape` (None entries: any size), without a copy.

    TypeError for another dtype or a non-numeric object, ValueError for another shape
    or a non-contiguous array."""
    if a.__class__ is _ND and a.dtype is _F64 and a.shape == shape and a.flags.c_contiguous:
        return a  # the common case, checked first and fast
    if not isinstance(a, np.ndarray):
        if isinstance(a, (list, tuple)):
            try:
                a = np.array(a, dtype=_F64)
            except (TypeError, ValueError) as e:
                raise TypeError("%s: expected numbers (%s)" % (name, e)) from None
        else:
            raise TypeError("%s: expected a numpy float64 array, got %s"
                            % (name, type(a).__name__))
    if a.dtype != _F64:
        raise TypeError("%s: expected dtype float64, got %s (convert with "
                        "np.asarray(%s, dtype=np.float64))" % (name, a.dtype, name))
    if a.ndim != len(shape) or any(s is not None and s != t for s, t in zip(shape, a.shape)):
        want = "(" + ", ".join("n" if s is None else str(s) for s in shape) + \
               ("," if len(shape) == 1 else "") + ")"
        raise ValueError("%s: expected shape %s, got %s" % (name, want, a.shape))
    if not a.flags.c_contiguous:
        raise ValueError("%s: the array is not C-contiguous (a strided view or Fortran "
                         "order); pass np.ascontiguousarray(%s)" % (name, name))
    return a


def out_array(out, shape, name):
    """A caller's output array (checked like as_array, and writable) or a new one."""
    if out is None:
        return np.empty(shape)
    if out.__class__ is _ND and out.dtype is _F64 and out.shape == shape:
        f = out.flags
        if f.c_contiguous and f.writeable:
            return out
    out = as_array(out, shape, name)
    if not out.flags.writeable:
        raise ValueError("%s: the array is read-only" % name)
    return out


_DARR = ffi.typeof("double[]")
_from_buffer = ffi.from_buffer


def ptr(a):
    """double * into a checked array (no copy)."""
    return _from_buffer(_DARR, a)


class Closable:
    """An object owning library memory: close() frees it (also at the end of a with
    block); any later use raises ClosedError. A lock keeps one library call at a time
    per object, since the GIL is released during the calls."""

    _kind = "object"

    def __init__(self):
        self._lock = threading.Lock()
        self._closed = False

    def _check_open(self):
        if self._closed:
            raise ClosedError("%s: used after close()" % self._kind)

    def close(self):
        with self._lock:
            if not self._closed:
                self._closed = True
                self._free()

    def _free(self):
        pass

    def __enter__(self):
        self._check_open()
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @property
    def closed(self):
        return self._closed
