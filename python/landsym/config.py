"""Experiment configs (docs/config.md) read by the library: a file, "builtin:thesis", or
a dict (relative paths in it are resolved against `dir`, default the working directory).

    with landsym.Config("examples/thesis_toy.json") as cfg:
        cfg.student, cfg.teacher, cfg.teacher_params, cfg.data, cfg.section("train")
"""
import json
import os

import numpy as np

from ._core import Closable, check, cstr, ffi, lib
from .data import Data
from .net import Net

__all__ = ["Config"]


class Config(Closable):
    _kind = "landsym.Config"

    def __init__(self, source, dir=None):
        super().__init__()
        self._cfg = ffi.new("ls_config *")
        err = ffi.new("ls_error *")
        if isinstance(source, dict):
            text = json.dumps(source).encode()
            d = os.fspath(dir) if dir is not None else os.getcwd()
            check(lib.lsp_config_from_text(text, b"<dict>", d.encode(), self._cfg, err), err)
        elif isinstance(source, (str, os.PathLike)):
            check(lib.ls_config_load(os.fsencode(source), self._cfg, err), err)
        else:
            raise TypeError("config: expected a path, 'builtin:NAME' or a dict, got %s"
                            % type(source).__name__)
        self._loaded = True
        c = self._cfg
        self.path = cstr(c.path)
        self.data_desc = cstr(c.data_desc)
        self.student = Net._wrap(ffi.addressof(c, "student"))
        self.teacher = Net._wrap(ffi.addressof(c, "teacher")) if c.has_teacher else None
        self.teacher_params = None
        if c.has_teacher:
            P = self.teacher.n_params
            self.teacher_params = np.frombuffer(ffi.buffer(c.teacher_params, 8 * P),
                                                dtype=np.float64).copy()
        self._data = Data._copy_of(ffi.addressof(c, "data"))

    @property
    def data(self):
        self._check_open()
        return self._data

    def section(self, name):
        """A top-level section of the document as a dict (None when absent)."""
        self._check_open()
        p = lib.lsp_config_section_text(self._cfg, name.encode())
        if p == ffi.NULL:
            return None
        try:
            return json.loads(cstr(p))
        finally:
            lib.lsp_free(p)

    def _free(self):
        if getattr(self, "_loaded", False):
            lib.ls_config_free(self._cfg)
            self._loaded = False

    def __repr__(self):
        return "landsym.Config(%r%s)" % (getattr(self, "path", "?"),
                                         ", closed" if self._closed else "")
