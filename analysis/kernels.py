"""Saying so when a compiled solver is about to compile: the first call of a numba kernel can take
tens of seconds, and a silent command looks hung.

numba caches compiled kernels beside their source (``sim/solvers/__pycache__/<module>.*.nbi``, one
index file per kernel; ``sim/extensive/__pycache__`` for the sequence-form enumeration's). A kernel module without any index file there has never been compiled on
this machine: :func:`cold_kernels` finds those for the methods about to run by looking at file
names only (no import of numba, no compile), and :func:`announce_compiling` prints one line on
stderr. When ``NUMBA_CACHE_DIR`` moves the cache, or the folder cannot be read, nothing is said
(the check must stay cheap and never be wrong in the noisy direction).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: A method's module -> the compiled kernel modules (in ``sim/solvers``) its first call compiles.
KERNELS = {
    "sim.solvers.pure": ("_pure_jit",),
    "sim.solvers.mixed": ("_mixed_jit",),
    "sim.solvers.logit": ("_logit_jit",),
    "sim.solvers.poly": ("_poly_jit",),
    "sim.extensive.sequence_enum": ("_sequence_enum_jit",),
}
#: Kernel modules that live outside ``sim/solvers``: their package under ``sim``.
PACKAGE = {"_sequence_enum_jit": "extensive"}


def cold_kernels(methods, cache: Path | None = None) -> list[str]:
    """The kernel modules the ``methods`` (registry names) use that have no numba cache yet.

    Examples
    --------
    >>> import tempfile
    >>> empty = Path(tempfile.mkdtemp())
    >>> cold_kernels(["enumpure", "spe"], cache=empty)
    ['_pure_jit']
    >>> (empty / "_pure_jit.enumpure_rows-10.py311.nbi").write_bytes(b"")
    0
    >>> cold_kernels(["enumpure"], cache=empty)
    []
    """
    from sim.registry import get

    if cache is None:
        if os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("NUMBA_DISABLE_JIT"):
            return []
        import sim

        root = Path(sim.__file__).parent
        folders = {k: root / PACKAGE.get(k, "solvers") / "__pycache__" for ks in KERNELS.values() for k in ks}
    else:
        folders = {k: cache for ks in KERNELS.values() for k in ks}
    present: dict[Path, set] = {}
    out: list[str] = []
    for m in methods:
        for k in KERNELS.get(get(m).module, ()):
            folder = folders[k]
            if folder not in present:
                try:
                    present[folder] = ({p.name.split(".", 1)[0] for p in folder.iterdir() if p.suffix == ".nbi"}
                                       if folder.is_dir() else set())
                except OSError:
                    return []
            if k not in present[folder] and k not in out:
                out.append(k)
    return out


def announce_compiling(methods, stream=None) -> bool:
    """Print ``compiling kernels, once`` on stderr when a method about to run has a cold cache;
    True when it did."""
    if not cold_kernels(methods):
        return False
    print("bargain: compiling kernels, once (numba caches them for later runs; this can take up to a minute)",
          file=stream or sys.stderr)
    return True
