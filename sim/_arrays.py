"""Read-only arrays, the one way every frozen type in ``sim`` stores its numbers.

Frozen dataclasses hold NumPy arrays; freezing the dataclass does not freeze the array, so every
constructor copies its input into a read-only array with :func:`readonly` (float by default).

Examples
--------
>>> a = readonly([1, 2])
>>> a.dtype, a.flags.writeable
(dtype('float64'), False)
>>> b = readonly([[1, 2]], dtype=None)  # keep the input's dtype
>>> b.dtype.kind
'i'
"""

from __future__ import annotations

import numpy as np


def readonly(array, dtype=float, *, copy: bool = True) -> np.ndarray:
    """A C-contiguous, read-only copy of ``array`` (``dtype=None`` keeps the input's dtype).

    ``copy=False`` freezes ``array`` itself when it is already a contiguous array of the right
    dtype (for arrays the caller has just built and owns), and copies otherwise.
    """
    if copy:
        out = np.array(array, dtype=dtype, copy=True, order="C")
    else:
        out = np.ascontiguousarray(array, dtype=dtype)
    out.setflags(write=False)
    return out
