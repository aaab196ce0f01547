"""Reading scenario files: bounded size, standard-library TOML, nothing evaluated.

A file may name one other file of the same folder in ``[scenario] extends = "NAME.toml"`` and
state only what differs (see :func:`merge_documents` for the rule); nothing else is included.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from sim.errors import ScenarioError
from sim.scenario.lines import table_lines
from sim.scenario.schema import Scenario, parse_scenario

#: Scenario files larger than this are refused before parsing.
MAX_FILE_BYTES = 1_000_000
#: At most this many files above a scenario through ``extends`` (a chain longer than this is refused).
MAX_EXTENDS_DEPTH = 8


def merge_documents(parent: dict, child: dict) -> dict:
    """The document of ``child`` extending ``parent`` (both as ``tomllib`` returns them).

    * ``[scenario]`` keys of the child replace the parent's one by one (``timing`` as a whole);
    * ``[parameters]`` and ``[players]`` entries replace the parent's entry of the same name, or
      are added after the parent's;
    * a ``[[goals]]`` entry replaces the parent's goal with the same ``(player, name)`` in place, or
      is added after the parent's goals;
    * a ``[[claims]]`` entry replaces the parent's claim with the same ``id`` in place, or is added
      after the parent's claims;
    * any other table (``[bargaining]``, ``[repeated]``) replaces the parent's as a whole.

    Nothing is removed; a goal is switched off by overriding it with ``weight = 0``.

    Examples
    --------
    >>> parent = {"scenario": {"id": "a", "title": "A"}, "parameters": {"x": 1, "y": 2},
    ...           "goals": [{"player": "P", "name": "g", "weight": 1}, {"player": "P", "name": "h", "weight": 2}]}
    >>> child = {"scenario": {"id": "b", "extends": "a.toml"}, "parameters": {"y": 5, "z": 0},
    ...          "goals": [{"player": "P", "name": "h", "weight": "-x"}, {"player": "Q", "name": "g", "weight": 3}]}
    >>> m = merge_documents(parent, child)
    >>> m["scenario"], m["parameters"]
    ({'id': 'b', 'title': 'A'}, {'x': 1, 'y': 5, 'z': 0})
    >>> [(g["player"], g["name"], g["weight"]) for g in m["goals"]]
    [('P', 'g', 1), ('P', 'h', '-x'), ('Q', 'g', 3)]
    """
    out = copy.deepcopy(parent)
    for key, value in child.items():
        value = copy.deepcopy(value)
        old = out.get(key)
        if key in ("scenario", "parameters", "players") and isinstance(old, dict) and isinstance(value, dict):
            old.update(value)
        elif key in ("goals", "claims") and isinstance(old, list) and isinstance(value, list):
            ident = (lambda g: (g.get("player"), g.get("name"))) if key == "goals" else (lambda g: g.get("id"))
            index = {_hashable_key(ident(g)): k for k, g in enumerate(old) if isinstance(g, dict)}
            for g in value:
                k = index.get(_hashable_key(ident(g))) if isinstance(g, dict) else None
                if k is None:
                    old.append(g)
                else:
                    old[k] = g
        else:
            out[key] = value
    if isinstance(out.get("scenario"), dict):
        out["scenario"].pop("extends", None)
    return out


def _hashable_key(key):
    """A goal's or claim's identity as a dictionary key (a malformed one is reported by the schema)."""
    try:
        hash(key)
    except TypeError:
        return repr(key)
    return key


def _parse_toml(text: str, path: str | None) -> dict:
    if not isinstance(text, str):
        raise ScenarioError(f"scenario text must be a string (got {type(text).__name__})", path=path, field="(file)")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScenarioError(f"file exceeds {MAX_FILE_BYTES:,} bytes (got {len(text.encode('utf-8', 'surrogatepass')):,})",
                            path=path, field="(file)")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", path=path, field="(toml)") from None


def _resolve(doc: dict, path: str | None, chain: tuple[Path, ...]) -> dict:
    """``doc`` with its ``extends`` chain merged in (parents first)."""
    head = doc.get("scenario")
    if not isinstance(head, dict) or "extends" not in head:
        return doc
    name = head["extends"]
    field = "scenario.extends"
    if not isinstance(name, str) or not name.endswith(".toml") or Path(name).name != name or "/" in name \
            or "\\" in name or name.startswith("."):
        raise ScenarioError(f"must name a .toml file in the same folder, without a path (got {name!r})",
                            path=path, field=field)
    if path is None:
        raise ScenarioError(f"needs the file's folder: load the file by its path (got {name!r})", path=path,
                            field=field)
    parent = Path(path).parent / name
    key = parent.resolve()
    if key in chain:
        cycle = " -> ".join(p.name for p in (*chain, key))
        raise ScenarioError(f"files extend each other in a cycle: {cycle} (got {name!r})", path=path, field=field)
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"at most {MAX_EXTENDS_DEPTH} files may be extended in a chain (got {len(chain)})",
                            path=path, field=field)
    if not parent.is_file():
        raise ScenarioError(f"no such file in the scenario's folder (got {name!r})", path=path, field=field)
    parent_doc = _parse_toml(_read_text(parent), str(parent))
    return merge_documents(_resolve(parent_doc, str(parent), (*chain, key)), doc)


def loads_scenario(text: str, path: str | None = None) -> Scenario:
    """Parse and validate the text of a scenario file.

    ``extends`` is resolved in the folder of ``path``; without a path a file cannot extend another.
    Every error of the file is gathered (see :func:`parse_scenario`); in a file that extends none,
    each carries the line of the table holding its field (see :mod:`sim.scenario.lines`).

    Examples
    --------
    >>> s = loads_scenario('''
    ... [scenario]
    ... id = "coordination"
    ... title = "Meet somewhere"
    ... timing = "simultaneous"
    ... [players.A]
    ... actions = ["here", "there"]
    ... [players.B]
    ... actions = ["here", "there"]
    ... [[goals]]
    ... player = "A"
    ... name = "meet"
    ... weight = 1
    ... rules = [{ when = { A = "here", B = "here" }, value = 1 }]
    ... ''')
    >>> s.id, s.player_names
    ('coordination', ('A', 'B'))
    """
    doc = _parse_toml(text, path)
    chain = (Path(path).resolve(),) if path is not None else ()
    merged = _resolve(doc, path, chain)
    # The lines of a file's tables fit the merged document only if nothing was merged in.
    lines = table_lines(text) if merged is doc else None
    return parse_scenario(merged, path=path, lines=lines)


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario file (``.toml``).

    Raises
    ------
    ScenarioError
        ``PATH: field: what is wrong (got VALUE)`` for unreadable files, bad TOML and broken rules;
        ``errors`` holds every broken rule of the file.
    """
    p = Path(path)
    return loads_scenario(_read_text(p), path=str(p))


def _read_text(p: Path) -> str:
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(f"file exceeds {MAX_FILE_BYTES:,} bytes (got {size:,})", path=str(p), field="(file)")
        data = p.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror or exc})", path=str(p), field="(file)") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text (got byte {data[exc.start]:#x} at {exc.start})", path=str(p),
                            field="(file)") from None
