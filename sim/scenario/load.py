"""Reading scenario files: bounded size, standard-library TOML, nothing evaluated.

A file may name one other file of the same folder in ``[scenario] extends = "NAME.toml"`` and
state only what differs (see :func:`merge_documents` for the rule); nothing else is included. A
symbolic link of that name is followed only when the file it points at lies in the same folder.
"""

from __future__ import annotations

import copy
from pathlib import Path

from sim import inputs
from sim.errors import ScenarioError
from sim.scenario.lines import Path as Place
from sim.scenario.lines import field_path, line_at, table_lines
from sim.scenario.schema import Scenario, parse_scenario

#: Scenario files larger than this are refused before parsing (the limit of every input file).
MAX_FILE_BYTES = inputs.MAX_FILE_BYTES
#: At most this many files above a scenario through ``extends`` (a chain longer than this is refused).
MAX_EXTENDS_DEPTH = 8

#: Where a part of a merged document was written: the file, the lines of its tables and the part's place there.
Origin = tuple[str | None, dict, Place]


def merge_documents(parent: dict, child: dict) -> dict:
    """The document of ``child`` extending ``parent`` (both as ``tomllib`` returns them).

    * ``[scenario]`` keys of the child replace the parent's one by one (``timing`` as a whole);
    * ``[parameters]`` and ``[players]`` entries replace the parent's entry of the same name, or
      are added after the parent's;
    * a ``[[goals]]`` entry replaces the parent's goal with the same ``(player, name)`` in place, or
      is added after the parent's goals;
    * a ``[[claims]]`` (``[[observations]]``) entry replaces the parent's claim (observation) with
      the same ``id`` in place, or is added after the parent's;
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
    return _merge(parent, child)[0]


def _merge(parent: dict, child: dict) -> tuple[dict, list[tuple[str, Place, Place]]]:
    """:func:`merge_documents`, and where each part of the result came from.

    The parent's keys and goal and claim indices keep their place in the result, so a part of the
    result that is not listed comes from the parent at the same place. The list says, in order,
    ``("mixed", (key,), (key,))`` for a table both files fill (the child's entries of it follow)
    and ``("child", merged_place, place_in_child)`` for a part the child gives whole.
    """
    out = copy.deepcopy(parent)
    taken: list[tuple[str, Place, Place]] = []
    for key, value in child.items():
        value = copy.deepcopy(value)
        old = out.get(key)
        if key in ("scenario", "parameters", "players") and isinstance(old, dict) and isinstance(value, dict):
            old.update(value)
            taken.append(("mixed", (key,), (key,)))
            taken.extend(("child", (key, name), (key, name)) for name in value)
        elif key in ("goals", "claims", "observations") and isinstance(old, list) and isinstance(value, list):
            taken.append(("mixed", (key,), (key,)))
            ident = (lambda g: (g.get("player"), g.get("name"))) if key == "goals" else (lambda g: g.get("id"))
            index = {_hashable_key(ident(g)): k for k, g in enumerate(old) if isinstance(g, dict)}
            for i, g in enumerate(value):
                k = index.get(_hashable_key(ident(g))) if isinstance(g, dict) else None
                if k is None:
                    old.append(g)
                    k = len(old) - 1
                else:
                    old[k] = g
                taken.append(("child", (key, k), (key, i)))
        else:
            out[key] = value
            taken.append(("child", (key,), (key,)))
    if isinstance(out.get("scenario"), dict):
        out["scenario"].pop("extends", None)
    return out, taken


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
        return inputs.parse_toml(text)
    except inputs.InputError as exc:
        raise ScenarioError(str(exc), path=path, field="(toml)", line=exc.line) from None


def _resolve(doc: dict, text: str, path: str | None, chain: tuple[Path, ...]) -> tuple[dict, dict[Place, Origin]]:
    """``doc`` with its ``extends`` chain merged in (parents first), and where its parts come from.

    The second value maps places of the merged document (``()``, ``("goals",)``, ``("goals", 3)``)
    to their :data:`Origin`; a place not listed comes from its longest listed prefix (see
    :func:`_locate`). Only a document that extends another needs it (one file is ``{(): ...}``).
    """
    head = doc.get("scenario")
    if not isinstance(head, dict) or "extends" not in head:
        return doc, {(): (path, table_lines(text) if chain[1:] else {}, ())}
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
    if parent.is_symlink() and key.parent != Path(path).parent.resolve():
        # A link is a path by other means: the file it names must lie in the scenario's own folder.
        raise ScenarioError(f"is a symbolic link to a file outside the scenario's folder (got {name!r})",
                            path=path, field=field)
    if key in chain:
        cycle = " -> ".join(p.name for p in (*chain, key))
        raise ScenarioError(f"files extend each other in a cycle: {cycle} (got {name!r})", path=path, field=field)
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"at most {MAX_EXTENDS_DEPTH} files may be extended in a chain (got {len(chain)})",
                            path=path, field=field)
    if not parent.is_file():
        raise ScenarioError(f"no such file in the scenario's folder (got {name!r})", path=path, field=field)
    parent_text = _read_text(parent)
    parent_doc, parent_origins = _resolve(_parse_toml(parent_text, str(parent)), parent_text, str(parent),
                                          (*chain, key))
    merged, taken = _merge(parent_doc, doc)
    lines = table_lines(text)
    # The parent's parts keep their places in the merged document; the child's replace them.
    origins = dict(parent_origins)
    origins.update({(k,): _locate(parent_origins, (k,)) for k in parent_doc})
    origins[()] = (path, lines, ())
    for kind, place, child_place in taken:
        if kind == "mixed":  # a table both fill: the table is the child's, each entry the parent's or the child's
            old = parent_doc[place[0]]
            for k in (old if isinstance(old, dict) else range(len(old))):
                origins[(*place, k)] = _locate(parent_origins, (*place, k))
        else:
            for p in [p for p in origins if p[:len(place)] == place]:
                del origins[p]
        origins[place] = (path, lines, child_place)
    return merged, origins


def _locate(origins: dict[Place, Origin], place: Place) -> Origin:
    """The origin of ``place`` in a merged document: that of its longest listed prefix, carried down."""
    for n in range(len(place), -1, -1):
        if place[:n] in origins:
            file, lines, there = origins[place[:n]]
            return file, lines, (*there, *place[n:])
    raise KeyError(place)  # () is always listed


def _relocate(exc: ScenarioError, origins: dict[Place, Origin]) -> ScenarioError:
    """``exc`` (gathered from a merged document) with each error naming the file and line that hold its field."""
    out = []
    for e in exc.errors:
        file, lines, there = _locate(origins, field_path(e.field or ""))
        out.append(ScenarioError(e.detail, path=file, field=e.field, line=line_at(lines, there),
                                 named_field=e.named_field))
    return ScenarioError.gather(out, truncated=exc.truncated)


def loads_scenario(text: str, path: str | None = None) -> Scenario:
    """Parse and validate the text of a scenario file.

    ``extends`` is resolved in the folder of ``path``; without a path a file cannot extend another.
    Every error of the file is gathered (see :func:`parse_scenario`); each carries the line of the
    table holding its field (see :mod:`sim.scenario.lines`). In a file that extends another, an error
    names the file that holds its field: this file for what it writes or for a table it fills in
    part, the base file (and its line) for what is inherited unchanged.

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
    merged, origins = _resolve(doc, text, path, chain)
    if merged is doc:
        return parse_scenario(doc, path=path, lines=table_lines(text))
    try:
        return parse_scenario(merged, path=path)
    except ScenarioError as exc:
        raise _relocate(exc, origins) from None


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
        data = inputs.read_bounded(p, MAX_FILE_BYTES)
    except inputs.InputError as exc:
        raise ScenarioError(str(exc), path=str(p), field="(file)") from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror or exc})", path=str(p), field="(file)") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text (got byte {data[exc.start]:#x} at {exc.start})", path=str(p),
                            field="(file)") from None
