"""Library errors as Python exceptions.

Every fallible call of liblandsym returns a status and fills an ls_error with a message
that names what was wrong ("config.json: student.widths[1]: width must be >= 1",
"model.safetensors: tensor '0.weight': expected shape [5, 2]"). raise_for turns it into
an exception of the matching class, carrying the message and the file and field it names.
"""
import os

__all__ = ["LandsymError", "InputError", "ComputeError", "LandsymIOError", "OutOfMemory",
           "ClosedError", "raise_for"]


class LandsymError(Exception):
    """An error reported by liblandsym.

    message: the library's message; code: its ls_status; where: the prefixes the message
    names ("file", "field", ...); file: the first of them that names a file (or None);
    field: the last prefix that is not a file (or None)."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        self.code = code
        parts = message.split(": ")
        self.where = parts[:-1]
        files = [p for p in self.where if _looks_like_file(p)]
        fields = [p for p in self.where if not _looks_like_file(p)]
        self.file = files[0] if files else None
        self.field = fields[-1] if fields else None


class InputError(LandsymError, ValueError):
    """Bad input: arguments, configs, files (LS_ERR_INPUT, the command line's exit 2)."""


class ComputeError(LandsymError, ArithmeticError):
    """The computation failed (non-finite result, no convergence)."""


class LandsymIOError(LandsymError, OSError):
    """A file could not be read or written."""


class OutOfMemory(LandsymError, MemoryError):
    """An allocation in the library failed."""


class ClosedError(LandsymError, ValueError):
    """The object was closed (close() or the end of a with block)."""


def _looks_like_file(s):
    if s.startswith("builtin:"):
        return True
    base = os.path.basename(s)
    return ("/" in s or os.path.exists(s) or
            (("." in base) and base.rsplit(".", 1)[1].isalpha() and " " not in s and "[" not in s))


_CLASSES = {1: ComputeError, 2: InputError, 3: OutOfMemory, 4: LandsymIOError}


def raise_for(status, err):
    """Raise the exception for a non-zero ls_status and its ls_error (a cffi pointer)."""
    from ._core import ffi
    msg = ffi.string(err.msg).decode("utf-8", "replace") if err is not None else ""
    raise _CLASSES.get(int(status), LandsymError)(msg or "landsym error %d" % int(status),
                                                  int(status))
