"""Reading scenario files: bounded size, standard-library TOML, no includes, nothing evaluated."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sim.errors import ScenarioError
from sim.scenario.schema import Scenario, parse_scenario

#: Scenario files larger than this are refused before parsing.
MAX_FILE_BYTES = 1_000_000


def loads_scenario(text: str, path: str | None = None) -> Scenario:
    """Parse and validate the text of a scenario file.

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
    if not isinstance(text, str):
        raise ScenarioError(f"scenario text must be a string (got {type(text).__name__})", path=path, field="(file)")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScenarioError(f"file exceeds {MAX_FILE_BYTES:,} bytes (got {len(text.encode('utf-8', 'surrogatepass')):,})",
                            path=path, field="(file)")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", path=path, field="(toml)") from None
    return parse_scenario(doc, path=path)


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario file (``.toml``).

    Raises
    ------
    ScenarioError
        ``PATH: field: what is wrong (got VALUE)`` for unreadable files, bad TOML and broken rules.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(f"file exceeds {MAX_FILE_BYTES:,} bytes (got {size:,})", path=str(p), field="(file)")
        data = p.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror or exc})", path=str(p), field="(file)") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text (got byte {data[exc.start]:#x} at {exc.start})", path=str(p),
                            field="(file)") from None
    return loads_scenario(text, path=str(p))
