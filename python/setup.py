"""pip install ./python (from the checkout, after building liblandsym.so in build/):
the cffi extension landsym._ffi is compiled by landsym_build.py."""
from setuptools import setup

setup(
    cffi_modules=["landsym_build.py:ffibuilder"],
)
