"""Run the code blocks of README.md and docs/*.md, so the documentation cannot drift from the code.

How a block is read (the convention every doc follows; a new block runs by default):

* ``<!-- no-run: REASON -->`` on the line before a block skips it, and the skip shows REASON.
  Use it for what cannot run in the test suite: ``make``, ``pip install``, benchmarks, long
  sweeps. ``<!-- synopsis -->`` before a shell block says that every line is a synopsis (below),
  even one without a placeholder (``bargain demo``).
* Python: a ```` ```python ```` fence is a script, run in a fresh namespace. A block (fenced or
  indented) whose first line starts with ``>>>`` is a doctest session (``ELLIPSIS`` and
  ``NORMALIZE_WHITESPACE``). Both run in a temporary folder holding links to the repository's
  ``scenarios/`` and ``tests/``, so relative paths in the docs work and nothing is written into
  the repository.
* TOML: a ```` ```toml ```` fence must parse; one holding a ``[scenario]`` table must also load
  and compile as a scenario.
* Shell: a fenced ``sh``/``bash``/``console``/``shell`` block, or a fenced block without a
  language or an indented block whose first line starts with ``$ `` or a known command
  (``bargain``, ``make``, ``python``, ``.venv/bin/python``, ``pip``). Each line, its ``$ ``
  prompt and ``#`` comment removed, is either

  - a *synopsis*, when it shows a placeholder (an upper-case word such as ``SCENARIO``,
    ``FILE.nfg`` or ``NAME=VALUE``, brackets, ``|`` or ``...``): a ``bargain`` synopsis is
    checked against the parser (the subcommand exists and accepts every ``--option`` shown);
  - or a *command*, run: ``bargain ...`` in-process through ``analysis.cli.main`` in the
    temporary folder (``*`` expanded as a shell would), which must exit with 0. Other commands
    fail the test until the block is marked ``no-run``.

  In a block with ``$ `` prompts, the lines after a command up to the next prompt are its
  expected output, compared line by line with what it printed (trailing spaces ignored;
  ``(...)`` in the doc stands for any text up to the end of the line; when the expected output is
  a JSON document, it is compared with the printed one as data, so the doc may lay it out).
* Anything else (JSON schemas, formulas, file listings) is prose: not run.
"""

from __future__ import annotations

import doctest
import glob
import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]

SHELL_LANGS = {"sh", "bash", "console", "shell", "shell-session"}
COMMAND_START = re.compile(r"(\$ |bargain\b|make\b|python3?\b|\.venv/bin/|pip3?\b)")
MARKER = re.compile(r"<!--\s*(no-run|synopsis)\s*(?::\s*(.*?))?\s*-->")
PLACEHOLDER = re.compile(r"[\[\]|]|\.\.\.|(?<![\w./-])[A-Z][A-Z0-9_]*(?![\w])")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the block's first content line
    lang: str  # the fence's info string ('' for indented or bare fences)
    text: str
    marker: str | None  # 'no-run' or 'synopsis'
    reason: str

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _marker_before(lines: list[str], start: int) -> tuple[str | None, str]:
    """The marker comment on the last non-blank line before line index ``start``."""
    k = start - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k >= 0 and (m := MARKER.fullmatch(lines[k].strip())):
        return m.group(1), m.group(2) or ""
    return None, ""


def extract_blocks(path: Path) -> list[Block]:
    """Fenced (```/~~~) and indented (four spaces after a blank line) blocks of a Markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)", line)
        if fence:
            indent, ticks, lang = fence.groups()
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(ticks):
                j += 1
            body = [ln[len(indent):] if ln.startswith(indent) else ln.lstrip() for ln in lines[i + 1:j]]
            marker, reason = _marker_before(lines, i)
            blocks.append(Block(path, i + 2, lang.lower(), "\n".join(body), marker, reason))
            i = j + 1
            continue
        if line.startswith("    ") and line.strip() and (i == 0 or not lines[i - 1].strip()):
            j = i
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                j += 1
            while j > i and not lines[j - 1].strip():
                j -= 1
            body = [ln[4:] for ln in lines[i:j]]
            marker, reason = _marker_before(lines, i)
            blocks.append(Block(path, i + 1, "", "\n".join(body), marker, reason))
            i = j
            continue
        i += 1
    return blocks


def kind(block: Block) -> str:
    first = block.text.lstrip().splitlines()[0] if block.text.strip() else ""
    if first.startswith(">>>"):
        return "doctest"
    if block.lang in ("python", "py"):
        return "python"
    if block.lang == "toml":
        return "toml"
    if block.lang in SHELL_LANGS or (block.lang == "" and COMMAND_START.match(first)):
        return "shell"
    return "prose"


RUNNABLE = [b for doc in DOCS for b in extract_blocks(doc) if kind(b) != "prose"]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A temporary folder that sees the repository's data under the paths the docs use."""
    for name in ("scenarios", "tests"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _skip_reason(block: Block) -> str | None:
    if block.marker == "no-run":
        return block.reason or "marked no-run"
    return None


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: f"{b.id}-{kind(b)}")
def test_doc_block_runs(block, workdir, capsys):
    reason = _skip_reason(block)
    if reason:
        pytest.skip(f"{block.id}: {reason}")
    checked = {"doctest": _run_doctest, "python": _run_python, "toml": _run_toml, "shell": _run_shell}[kind(block)](
        block, capsys)
    # Each runner asserts on what it ran and returns how many things it checked: a block in which
    # nothing was checked (an empty session, a shell block without a command) is a failure too.
    assert checked > 0, f"{block.id}: nothing in this {kind(block)} block was checked"



def _run_python(block: Block, capsys) -> int:
    code = compile(block.text, block.id, "exec")
    exec(code, {"__name__": "__doc_block__"})  # an exception (an assert in the block included) fails the test
    return 1


def _run_doctest(block: Block, capsys) -> int:
    test = doctest.DocTestParser().get_doctest(block.text, {}, block.id, str(block.path), block.line - 1)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    return runner.tries


def _run_toml(block: Block, capsys) -> int:
    data = tomllib.loads(block.text)  # a syntax error fails the test
    if "scenario" in data:
        from sim.scenario import compile_scenario, loads_scenario

        compiled = compile_scenario(loads_scenario(block.text, path=block.id))
        assert compiled.n_outcomes > 0, f"{block.id}: the scenario compiles to no outcome"
    return len(data)


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` outside quotes."""
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=False)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
    except ValueError:
        return line.strip()
    return shlex.join(tokens) if tokens else ""


def _commands(block: Block) -> list[tuple[str, list[str]]]:
    """(command line, expected output lines) pairs; output only where the block uses ``$`` prompts."""
    lines = block.text.splitlines()
    prompted = any(ln.startswith("$ ") for ln in lines)
    out: list[tuple[str, list[str]]] = []
    continued = False  # the previous command line ended with a backslash
    for ln in lines:
        if prompted and not ln.startswith("$ ") and not continued:
            if out:
                out[-1][1].append(ln)
            continue
        text = ln[2:] if ln.startswith("$ ") else ln
        cmd = _strip_comment(text.removesuffix("\\"))
        # A line ending in a backslash, or (without prompts) an indented line, continues a command.
        if out and cmd and (continued or (not prompted and ln[:1].isspace())):
            out[-1] = (f"{out[-1][0]} {cmd}", out[-1][1])
        elif cmd:
            out.append((cmd, []))
        continued = text.rstrip().endswith("\\")
    return out


def _is_synopsis(command: str) -> bool:
    return bool(PLACEHOLDER.search(command))


def _subparsers():
    from analysis.cli import build_parser

    parser = build_parser()
    return next(a for a in parser._actions if a.dest == "command").choices


def _check_synopsis(block: Block, command: str) -> None:
    words = command.split()
    if words[0] != "bargain":
        return
    subs = _subparsers()
    assert words[1] in subs, f"{block.id}: `{command}`: no subcommand {words[1]!r} (have {sorted(subs)})"
    known = set(subs[words[1]]._option_string_actions)
    unknown = [opt for opt in OPTION.findall(command) if opt not in known]
    assert not unknown, f"{block.id}: `{command}`: bargain {words[1]} has no option {unknown}"


def _output_matches(expected: list[str], actual: str) -> bool:
    try:  # a JSON document is compared as data, so the doc may lay it out for reading
        return json.loads("\n".join(expected)) == json.loads(actual)
    except ValueError:
        pass
    want = [ln.rstrip() for ln in expected]
    got = [ln.rstrip() for ln in actual.splitlines()]
    while want and not want[-1]:
        want.pop()
    while got and not got[-1]:
        got.pop()
    if len(want) != len(got):
        return False
    for w, g in zip(want, got):
        pattern = ".*".join(re.escape(part) for part in w.split("(...)"))
        if not re.fullmatch(pattern, g):
            return False
    return True


def _run_shell(block: Block, capsys) -> int:
    from analysis.cli import main

    checked = 0
    for command, expected in _commands(block):
        checked += 1
        if block.marker == "synopsis" or _is_synopsis(command):
            _check_synopsis(block, command)
            continue
        argv = shlex.split(command)
        assert argv[0] == "bargain", (
            f"{block.id}: `{command}` is not a bargain command: mark the block "
            "<!-- no-run: reason --> or make it one")
        args = [tok for arg in argv[1:] for tok in (sorted(glob.glob(arg)) or [arg] if "*" in arg else [arg])]
        capsys.readouterr()
        code = main(args)
        captured = capsys.readouterr()
        assert code == 0, f"{block.id}: `{command}` exited with {code}:\n{captured.err}"
        if expected:
            assert _output_matches(expected, captured.out), (
                f"{block.id}: `{command}` printed\n{captured.out}\nbut the doc shows\n" + "\n".join(expected))
    return checked


def test_blocks_are_found():
    """The extractor sees the blocks the docs are known to hold (guards against a parser that finds nothing)."""
    by_kind = {k: [b.id for b in RUNNABLE if kind(b) == k] for k in ("python", "shell", "toml")}
    assert any(i.startswith("README.md") for i in by_kind["python"])
    assert any(i.startswith("README.md") for i in by_kind["shell"])
    assert any(i.startswith("docs/scenarios.md") for i in by_kind["toml"])
