"""Result files: written whole or not at all, identified by content hash, stamped with versions.

Every file the project writes as a result (reports, charts, exported games, sweep chunks and
manifests) goes through :func:`atomic_path`: it is written under a temporary name in its own
folder (``.<name>.<pid>.tmp``, so a rename never crosses a file system) and moved into place with
``os.replace``, which is atomic on POSIX and Windows. A reader sees the old file or the new one,
never half of either; a failure leaves the old file and no temporary behind, and says which file
could not be written (:class:`WriteError`, for a full disk as for a missing permission).

Only a regular file is ever replaced: a folder, a device, a FIFO or a socket at the path is
refused (:class:`OutputRefused`) before anything is written. A symbolic link is followed on
purpose, as the shell's ``>`` does: the file it points to is replaced and the link stays. A new
file gets ordinary permissions (``0666`` less the umask, so ``0644`` under the usual umask); a
replaced file keeps its own.

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


class OutputRefused(ValueError):
    """The path of a result holds something that is not a regular file; nothing was written."""


class WriteError(OSError):
    """Writing a result failed (disk full, no permission); the message names the file.

    Examples
    --------
    >>> import errno
    >>> str(WriteError("out/r.html", OSError(errno.ENOSPC, "No space left on device")))
    'out/r.html: cannot write the file (No space left on device)'
    """

    def __init__(self, path, exc: OSError):
        super().__init__(exc.errno, exc.strerror)
        self.filename = str(path)
        self.message = f"{path}: cannot write the file ({exc.strerror or exc})"

    def __str__(self) -> str:
        return self.message


def _target(path: Path) -> tuple[Path, int | None]:
    """Where a result for ``path`` is written (a link's target) and the permission bits to keep
    (``None`` for a new file); refuses anything but a regular file or nothing."""
    import stat

    from sim.inputs import file_kind

    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target, None
    if not stat.S_ISREG(mode):
        via = f" (through the link {path})" if target != path else ""
        raise OutputRefused(f"{target}: is {file_kind(mode)}{via}; a result replaces only a regular file")
    return target, stat.S_IMODE(mode)


def check_output(path) -> None:
    """Refuse ``path`` as a result's path now, before the work that computes the result.

    :func:`atomic_path` checks again when it writes; this only fails fast (``--out /dev/null``).

    Examples
    --------
    >>> check_output("/dev/null")
    Traceback (most recent call last):
    ...
    analysis.io.OutputRefused: /dev/null: is a character device; a result replaces only a regular file
    """
    _target(Path(path))


@contextmanager
def atomic_path(path) -> Iterator[Path]:
    """A temporary path to write to; on a clean exit it replaces ``path``, else it is removed.

    The parent folder is created when missing. Use it for writers that want a file name (Parquet,
    savefig); :func:`write_atomic` covers bytes and text. The temporary exists (empty, with the
    permissions the result will have) when the block starts; a writer that truncates it keeps them.

    Raises
    ------
    OutputRefused
        ``path`` (or what a link there points to) is a folder, device, FIFO or socket.
    WriteError
        An ``OSError`` while writing (disk full): it names ``path``.

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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(path, exc) from None
    target, keep = _target(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        try:
            tmp.unlink(missing_ok=True)  # a leftover of this process id, never followed if a link
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # 0666 less the umask
        except OSError as exc:
            raise WriteError(path, exc) from None
        try:
            yield tmp
            if keep is not None:
                os.chmod(tmp, keep)
            os.replace(tmp, target)
        except WriteError:
            raise
        except OSError as exc:
            raise WriteError(path, exc) from None
    finally:
        if tmp.exists() or tmp.is_symlink():
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
