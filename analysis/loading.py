"""Turn a path on the command line into a game: ``.nfg`` files, and scenario files (``.toml``)."""

from __future__ import annotations

from pathlib import Path

from sim.errors import GameError


def load_game(path: str | Path, overrides: dict[str, float] | None = None):
    """Load a game from a Gambit ``.nfg`` file or a scenario file.

    ``overrides`` set scenario parameters (``--set NAME=VALUE``); they are refused for game files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".efg":
        if overrides:
            raise GameError(f"{path}: --set applies to scenario files only; got {sorted(overrides)}")
        from sim.formats.efg import read_efg

        return read_efg(path)
    if suffix == ".nfg":
        if overrides:
            raise GameError(f"{path}: --set applies to scenario files only; got {sorted(overrides)}")
        from sim.formats.nfg import read_nfg

        return read_nfg(path)
    if suffix == ".toml":
        from sim.scenario import compile_scenario, load_scenario

        # A simultaneous scenario gives a NormalFormGame, a sequential one an ExtensiveFormGame.
        return compile_scenario(load_scenario(path)).game(overrides)
    raise GameError(f"{path}: unsupported file type {suffix or '(none)'!r}; expected .nfg, .efg or .toml")
