"""A sweep's output folder: what it owns, its lock, and the manifest's record of every chunk.

A folder cannot give a wrong table. The manifest records each committed chunk's point range, row
count and SHA-256 (``"chunks": {"3": {"start": 27, "stop": 36, "rows": 98, "sha256": "..."}}``);
a chunk file is trusted only when its bytes hash to the recorded value. The rules:

* a chunk that is recorded but missing or damaged is recomputed by ``--resume`` and refused (named)
  by :func:`analysis.sweep.run.read_results`;
* a chunk file in range but not recorded (a run killed between writing it and recording it, or a
  file copied in) is never adopted: resume recomputes it, a reader treats it as missing;
* any other file in ``chunks/`` (an index past the last chunk, ``chunk-abc.parquet``, a copy) is
  refused by name, by resume and by readers alike: the user decides what it is;
* a new sweep into a non-empty folder is refused unless ``--overwrite`` (which removes only the
  files a sweep owns: the manifest, the lock, chunk files and unfinished temporaries) or
  ``--resume``.

One run at a time holds the folder's lock: ``fcntl.flock`` on ``.sweep.lock``, which holds the
holder's pid, host and start time so that a refused second run can name it. The kernel releases
the lock when its holder dies, so a killed run's lock is taken over without any staleness guess.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sim.errors import ScenarioError

MANIFEST = "manifest.json"
CHUNKS = "chunks"
LOCK = ".sweep.lock"
FORMAT = 2
CHUNK_RE = re.compile(r"chunk-(\d{6,})\.parquet")
TMP_RE = re.compile(r"\..*\.tmp")
#: The manifest is rewritten at most this often while chunks complete (and always at the end); a
#: chunk committed in between is recomputed by a resume, never adopted unverified.
SAVE_EVERY = 1.0


def chunk_name(index: int) -> str:
    """File name of chunk ``index``.

    >>> chunk_name(3)
    'chunk-000003.parquet'
    """
    return f"chunk-{index:06d}.parquet"


def _resume_hint(out: Path) -> str:
    return f"bargain sweep SWEEP --out {out} --resume"


# ----- the manifest ---------------------------------------------------------------------------------
def load_manifest(out) -> dict:
    """The folder's manifest, checked for the fields readers rely on (one-line errors otherwise).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / MANIFEST).write_text("[1, 2]")
    >>> load_manifest(folder)
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: .../manifest.json: is not a sweep manifest (a JSON array, not an object)
    """
    path = Path(out) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("is not a sweep output folder (no manifest.json)", path=str(out)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the sweep manifest ({exc.__class__.__name__})", path=str(path)) from None
    try:
        doc = json.loads(text)
    except ValueError:
        raise ScenarioError("is not a sweep manifest (truncated or not JSON)", path=str(path)) from None
    if not isinstance(doc, dict):
        raise ScenarioError(f"is not a sweep manifest (a JSON {_json_kind(doc)}, not an object)", path=str(path))
    if doc.get("format") == 1:
        raise ScenarioError("was written without chunk checksums (manifest format 1) and cannot be verified; "
                            "run the sweep again with --overwrite", path=str(path))
    if doc.get("format") != FORMAT:
        raise ScenarioError(f"is not a sweep manifest of format {FORMAT} (got format {doc.get('format')!r})",
                            path=str(path))
    for key in ("n_points", "chunk_size", "n_chunks"):
        value = doc.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if key != "chunk_size" else 1):
            raise ScenarioError(f"is damaged: {key} must be a non-negative integer (got {value!r})", path=str(path))
    if doc["n_chunks"] != -(-doc["n_points"] // doc["chunk_size"]):
        raise ScenarioError(f"is damaged: n_chunks {doc['n_chunks']} does not match n_points {doc['n_points']} "
                            f"in chunks of {doc['chunk_size']}", path=str(path))
    chunks = doc.get("chunks")
    if not isinstance(chunks, dict):
        raise ScenarioError(f"is damaged: chunks must be an object (got {_json_kind(chunks)})", path=str(path))
    for key, rec in chunks.items():
        if not (key.isdigit() and isinstance(rec, dict) and record_ok(doc, int(key), rec)):
            raise ScenarioError(f"is damaged: the record of chunk {key!r} is not valid (got {rec!r})"[:300],
                                path=str(path))
    return doc


def _json_kind(value) -> str:
    return {list: "array", dict: "object", str: "string", type(None): "null", bool: "boolean"}.get(
        type(value), "number")


def chunk_range(doc: dict, index: int) -> tuple[int, int]:
    """Points ``start, stop`` of chunk ``index`` of a manifest."""
    return index * doc["chunk_size"], min(doc["n_points"], (index + 1) * doc["chunk_size"])


def record_ok(doc: dict, index: int, rec: dict) -> bool:
    """Whether ``rec`` is a well-formed record of chunk ``index`` (its range the manifest's own)."""
    if not 0 <= index < doc["n_chunks"]:
        return False
    start, stop = chunk_range(doc, index)
    sha = rec.get("sha256")
    rows = rec.get("rows")
    return (rec.get("start") == start and rec.get("stop") == stop and isinstance(rows, int)
            and not isinstance(rows, bool) and rows >= stop - start
            and isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha) is not None)


class ManifestWriter:
    """The manifest document, rewritten atomically as chunks are recorded (at most every ``SAVE_EVERY``
    seconds, and on :meth:`save`)."""

    def __init__(self, out: Path, doc: dict):
        self.out = Path(out)
        self.doc = doc
        self._saved = 0.0

    def record(self, stats: dict) -> None:
        self.doc["chunks"][str(stats["index"])] = {k: stats[k] for k in ("start", "stop", "rows", "sha256")}
        if time.monotonic() - self._saved >= SAVE_EVERY:
            self.save()

    def save(self) -> None:
        write_manifest(self.out, self.doc)
        self._saved = time.monotonic()


def write_manifest(out: Path, doc: dict) -> None:
    """Write the manifest whole or not at all; a full disk is one line naming the file."""
    from analysis.io import write_json_atomic

    path = Path(out) / MANIFEST
    try:
        write_json_atomic(path, doc)
    except OSError as exc:
        raise ScenarioError(f"cannot write the sweep manifest ({exc.strerror or exc}); the chunks written so far "
                            f"stay usable by --resume", path=str(path)) from None


# ----- chunk files ----------------------------------------------------------------------------------
def stray_files(out: Path, n_chunks: int) -> list[str]:
    """Names in ``chunks/`` that no chunk of this sweep can have: other names, indices out of range."""
    folder = Path(out) / CHUNKS
    if not folder.is_dir():
        return []
    bad = []
    for p in sorted(folder.iterdir()):
        m = CHUNK_RE.fullmatch(p.name)
        if TMP_RE.fullmatch(p.name):
            continue
        if m is None or int(m.group(1)) >= n_chunks or p.name != chunk_name(int(m.group(1))) or not p.is_file():
            bad.append(p.name)
    return bad


def refuse_strays(out: Path, n_chunks: int) -> None:
    bad = stray_files(out, n_chunks)
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise ScenarioError(f"holds a file that is not a chunk of this sweep ({n_chunks} chunks): "
                            f"{CHUNKS}/{bad[0]}{more}; move it away", path=str(out))


def verify_chunk(out: Path, doc: dict, index: int):
    """Chunk ``index``'s bytes (a memory-mapped ``pyarrow.Buffer``: hashed and then parsed from the
    same mapping, so what is read is what was checked, and no copy lands on the heap) if they match
    the manifest's record, else ``(None, why)``."""
    import hashlib

    import pyarrow as pa

    rec = doc["chunks"].get(str(index))
    path = Path(out) / CHUNKS / chunk_name(index)
    if rec is None:
        return None, "not recorded in the manifest" if path.exists() else "missing"
    try:
        if path.stat().st_size == 0:
            return None, "damaged (empty)"
        with pa.memory_map(str(path), "r") as source:
            data = source.read_buffer()
    except FileNotFoundError:
        return None, "missing"
    except (OSError, pa.ArrowException) as exc:
        return None, f"unreadable ({getattr(exc, 'strerror', None) or type(exc).__name__})"
    if hashlib.sha256(memoryview(data)).hexdigest() != rec["sha256"]:
        return None, "damaged (its SHA-256 is not the manifest's)"
    return data, None


# ----- ownership and --overwrite --------------------------------------------------------------------
def owned(out: Path) -> tuple[list[Path], list[Path]]:
    """Files in ``out`` a sweep owns (manifest, lock, chunk files, temporaries) and the others."""
    mine, others = [], []
    out = Path(out)
    if not out.is_dir():
        return mine, others
    for p in out.iterdir():
        if p.name in (MANIFEST, LOCK) or (TMP_RE.fullmatch(p.name) and p.is_file()):
            mine.append(p)
        elif p.name == CHUNKS and p.is_dir() and not p.is_symlink():
            for q in p.iterdir():
                if (CHUNK_RE.fullmatch(q.name) or TMP_RE.fullmatch(q.name)) and q.is_file() and not q.is_symlink():
                    mine.append(q)
                else:
                    others.append(q)
        else:
            others.append(p)
    return mine, others


def clear_owned(out: Path) -> None:
    """Remove the files a sweep owns (``--overwrite``); refuse, before removing anything, when
    ``chunks/`` holds anything else. Files outside ``chunks/`` that a sweep does not own stay."""
    mine, others = owned(out)
    inside = [p for p in others if p.parent.name == CHUNKS]
    if inside:
        raise ScenarioError(f"--overwrite removes only sweep files, and {CHUNKS}/ holds another: "
                            f"{CHUNKS}/{inside[0].name}; move it away", path=str(out))
    for p in mine:
        if p.name != LOCK:  # the lock is ours now
            p.unlink(missing_ok=True)


def has_content(out: Path) -> bool:
    """Whether ``out`` holds anything but the lock, temporaries and an empty ``chunks/``."""
    mine, others = owned(out)
    return bool(others) or any(p.name != LOCK and not TMP_RE.fullmatch(p.name) for p in mine)


# ----- the lock -------------------------------------------------------------------------------------
@contextmanager
def lock_folder(out: Path) -> Iterator[None]:
    """Hold the folder's lock for the block; a live holder is named in a one-line refusal.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with lock_folder(folder):
    ...     with lock_folder(folder):
    ...         pass
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: ...: is in use by another sweep (pid ..., started ...); wait for it or stop it
    """
    import fcntl

    path = Path(out) / LOCK
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip() or "unknown holder"
            os.close(fd)
            raise ScenarioError(f"is in use by another sweep ({holder}); wait for it or stop it",
                                path=str(out)) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the file was removed by its last holder between our open and our lock: retry
    try:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        text = f"pid {os.getpid()} on {socket.gethostname()}, started {stamp}".encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, text, 0)
    except OSError:
        pass  # the holder's description is a courtesy; the lock itself is held
    try:
        yield
    finally:
        try:
            path.unlink()
        except OSError:
            pass
        os.close(fd)
