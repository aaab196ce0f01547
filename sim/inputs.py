"""Reading input files (scenario, sweep and game files) in bounded time and memory.

Every file a user names is read by :func:`read_bounded`: it must be a regular file (a device, a
FIFO, a folder or a link to one of them is refused before a byte is read, and nothing blocks),
and at most ``limit + 1`` bytes are ever read, whatever size the file reports. TOML text is
parsed by :func:`parse_toml`, which refuses arrays and tables nested deeper than
:data:`MAX_NESTING` and integers too long to convert, each with the line that holds them.

The limits below are shared by the scenario language and the Gambit readers, so a game is
refused or accepted the same way whichever file describes it. Errors are :class:`InputError`
(a ``ValueError``) carrying the rule broken; callers add the file and the field.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib

#: Input files larger than this many bytes are refused (scenario, sweep and game files alike).
MAX_FILE_BYTES = 1_000_000
#: A game with more pure profiles (or a tree with more nodes) than this is refused.
MAX_PROFILES = 1_000_000
#: At most this many players in a game.
MAX_PLAYERS = 16
#: At most this many moves on a path of a game tree (a scenario's timing, an ``.efg`` tree's
#: depth): NumPy holds at most 64 axes, and a tree's payoff tensor has one per move and two more.
MAX_DEPTH = 32
#: Arrays and tables in a TOML file may be nested at most this deep.
MAX_NESTING = 32
#: The largest magnitude a number in an input file may have (the largest finite float).
MAX_NUMBER = sys.float_info.max


class InputError(ValueError):
    """An input file breaks a rule of this module; ``line`` is the line at fault when known.

    Examples
    --------
    >>> str(InputError("nested more than 32 levels deep", line=3))
    'line 3: nested more than 32 levels deep'
    """

    def __init__(self, detail: str, line: int | None = None):
        self.detail = detail
        self.line = line
        super().__init__(f"line {line}: {detail}" if line else detail)


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    """What a ``st_mode`` describes, in words (``"a regular file"``, ``"a FIFO (named pipe)"``, ...).

    Examples
    --------
    >>> file_kind(os.stat(".").st_mode)
    'a folder'
    """
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bounded(path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (links followed), refusing more than ``limit``.

    The path is checked before it is opened (so a device is never opened) and again after (so a
    swap in between is caught); it is opened without blocking, and at most ``limit + 1`` bytes are
    read, so a file that lies about its size cannot make this read more.

    Raises
    ------
    InputError
        The path is not a regular file, or holds more than ``limit`` bytes.
    OSError
        The file cannot be opened or read (missing, no permission).

    Examples
    --------
    >>> read_bounded("/dev/zero")
    Traceback (most recent call last):
    ...
    sim.inputs.InputError: is a character device, not a regular file
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as f:
    ...     _ = f.write(b"abc"); f.flush()
    ...     read_bounded(f.name), read_bounded(f.name, limit=2)
    Traceback (most recent call last):
    ...
    sim.inputs.InputError: file exceeds 2 bytes (got 3)
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise InputError(f"is {file_kind(mode)}, not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"is {file_kind(st.st_mode)}, not a regular file")
        if st.st_size > limit:
            raise InputError(f"file exceeds {limit:,} bytes (got {st.st_size:,})")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        raise InputError(f"file exceeds {limit:,} bytes (got more while reading)")
    return b"".join(chunks)


_DIGITS = re.compile(r"[0-9][0-9_]*")


def parse_toml(text: str) -> dict:
    """``tomllib.loads(text)``, with nesting bounded by :data:`MAX_NESTING` and every failure an
    :class:`InputError` (``tomllib``'s own message for bad syntax).

    Examples
    --------
    >>> parse_toml("a = [[1], 2]")
    {'a': [[1], 2]}
    >>> parse_toml("a = " + "[" * 40 + "]" * 40)
    Traceback (most recent call last):
    ...
    sim.inputs.InputError: line 1: arrays and tables nested more than 32 levels deep after 'a ='
    >>> parse_toml("a = " + "9" * 5000)
    Traceback (most recent call last):
    ...
    sim.inputs.InputError: line 1: a number of 5,000 digits after 'a ='; numbers must be finite floats (at most about 1.8e308)
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}") from None
    except RecursionError:
        raise _too_deep(text) from None
    except ValueError:  # Python's limit on the digits of an integer conversion
        raise _long_number(text) from None
    if _depth(doc) > MAX_NESTING:
        raise _too_deep(text)
    return doc


def _key_before(text: str, pos: int) -> str:
    """`` after 'KEY ='``: what the line holding ``pos`` says before it (empty if nothing)."""
    start = text.rfind("\n", 0, pos) + 1
    before = text[start:pos].strip().rstrip("[{ ")
    return f" after {before[-40:]!r}" if before else ""


def _long_number(text: str) -> InputError:
    longest = max(_DIGITS.finditer(text), key=lambda m: len(m.group().replace("_", "")), default=None)
    if longest is None:  # pragma: no cover - tomllib raises ValueError only for long integers
        return InputError("a number too long to convert")
    digits = len(longest.group().replace("_", ""))
    return InputError(f"a number of {digits:,} digits{_key_before(text, longest.start())}; numbers must be finite "
                      "floats (at most about 1.8e308)", text.count("\n", 0, longest.start()) + 1)


def _depth(doc) -> int:
    """The nesting depth of a parsed document (iteratively: a deep one must not overflow the stack)."""
    deepest, stack = 0, [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_NESTING:
            stack.extend((v, depth + 1) for v in value)
    return deepest


def _too_deep(text: str) -> InputError:
    """The error for nesting beyond :data:`MAX_NESTING`, at the line (and key) where brackets (outside
    strings, roughly) first open that deep, when they do (table headers can nest too)."""
    depth, line, start = 0, 1, None
    for pos, ch in enumerate(text):
        if ch == "\n":
            line += 1
        elif ch in "[{":
            if depth == 0:
                start = pos
            depth += 1
            if depth > MAX_NESTING:
                return InputError(f"arrays and tables nested more than {MAX_NESTING} levels deep"
                                  f"{_key_before(text, start)}", line)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return InputError(f"arrays and tables nested more than {MAX_NESTING} levels deep")
