"""Result files: written whole or not at all, identified by content hash, stamped with versions.

Every file the project writes as a result (reports, charts, exported games, sweep chunks and
manifests) goes through :func:`atomic_path`: it is written under a temporary name in its own
folder (``.<name>.<pid>.tmp``, so a rename never crosses a file system) and moved into place with
``os.replace``, which is atomic on POSIX and Windows. A reader sees the old file or the new one,
never half of either; a failure leaves the old file and no temporary behind.

:func:`file_sha256` identifies an input by content (a sweep's manifest records its scenario's,
and a report finds that scenario again by it); :func:`versions` records the software a result was
computed with, as one mapping each caller formats its own way.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

#: Packages whose versions a result records, after Python's own.
PACKAGES = ("bargain-sim", "numpy", "scipy", "pandas", "pyarrow", "matplotlib")
#: Temporary files of unfinished writes match this pattern in the target's folder.
TMP_PATTERN = ".*.tmp"


@contextmanager
def atomic_path(path) -> Iterator[Path]:
    """A temporary path to write to; on a clean exit it replaces ``path``, else it is removed.

    The parent folder is created when missing. Use it for writers that want a file name (Parquet,
    savefig); :func:`write_atomic` covers bytes and text.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "t.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("whole")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('whole', ['t.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomic(path, data: bytes | str) -> Path:
    """Write ``data`` (text is encoded as UTF-8) to ``path`` whole or not at all; returns the path.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "a" / "r.txt", b"done").name
    'r.txt'
    >>> sorted(p.name for p in (folder / "a").iterdir())
    ['r.txt']
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_json_atomic(path, doc) -> Path:
    """``doc`` as indented JSON with sorted keys (values JSON cannot hold become strings), atomically.

    Examples
    --------
    >>> import tempfile
    >>> p = write_json_atomic(Path(tempfile.mkdtemp()) / "m.json", {"b": 1, "a": Path("x")})
    >>> p.read_text()
    '{\\n  "a": "x",\\n  "b": 1\\n}'
    """
    return write_atomic(path, json.dumps(doc, indent=2, sort_keys=True, default=str))


def file_sha256(path, block: int = 1 << 20) -> str:
    """The SHA-256 of a file's bytes, as 64 hexadecimal digits (read in blocks of ``block`` bytes).

    Examples
    --------
    >>> import tempfile
    >>> p = write_atomic(Path(tempfile.mkdtemp()) / "abc", b"abc")
    >>> file_sha256(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def versions(packages=PACKAGES) -> dict[str, str | None]:
    """Python's version and each installed package's (``None`` when it is not installed).

    Examples
    --------
    >>> v = versions(("numpy", "no-such-package-here"))
    >>> list(v), v["no-such-package-here"], v["python"] == platform.python_version()
    (['python', 'numpy', 'no-such-package-here'], None, True)
    """
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in packages:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out
