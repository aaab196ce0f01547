"""Claims: statements about a scenario's equilibria, written as data in ``[[claims]]``.

A claim is a sentence of the source (``claim``, with the ``quote`` it rests on) and a list of
*conditions* on the equilibrium outcome: which actions are played on the path (``path``), what
would be played had some moves gone otherwise (``after``), whether a player gains from playing
as it does rather than otherwise (``gain``), on the game re-solved with some parameters changed
(``set``), negated (``not``). Nothing is evaluated here: this module parses and validates the
table into frozen :class:`Claim` and :class:`Condition` values on the :class:`Scenario`;
:mod:`sim.claims` measures them. The language is documented in ``docs/scenarios.md``.

Errors read like the rest of the schema: ``PATH: claims[2].conditions[1].path.us_plan: unknown
action of us_plan; ... (got 'dorp')``.

Examples
--------
>>> from sim.scenario import loads_scenario
>>> s = loads_scenario('''
... [scenario]
... id = "entry"
... title = "Entry"
... timing = [{ player = "E" }, { player = "I", observes = ["E"] }]
... [players.E]
... actions = ["in", "out"]
... [players.I]
... actions = ["fight", "share"]
... [[goals]]
... player = "E"
... name = "profit"
... weight = 1
... rules = [{ when = { E = "in", I = "share" }, value = 1 }, { when = { E = "in", I = "fight" }, value = -1 }]
... [[claims]]
... id = "entry_happens"
... claim = "The entrant enters and the incumbent shares."
... quote = "enters"
... conditions = [{ path = { E = "in", I = "share" } }, { after = { E = "in" }, path = { I = "share" } }]
... ''')
>>> c = s.claims[0]
>>> c.id, c.conditions[0].path, c.conditions[1].after
('entry_happens', (('E', ('in',)), ('I', ('share',))), (('E', 'in'),))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from sim.scenario.schema import (
    ChanceMove,
    Parameter,
    _complete,
    _Ctx,
    _bool,
    _keys,
    _names,
    _number,
    _Skip,
    _str,
    _table,
    _ACTION,
)

#: At most this many conditions in one claim, and claims in one file.
MAX_CONDITIONS = 16
MAX_CLAIMS = 200
#: Methods a claim may name: those that return behaviour strategies (trees) or profiles (games).
TREE_METHODS = ("spe", "pbe", "pbe_mixed")
GAME_METHODS = ("enumpure", "enummixed", "lcp", "enumpoly")
CLAIM_METHODS = TREE_METHODS + GAME_METHODS

_CLAIM_ID = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Gain:
    """``player`` gains from playing as the equilibrium says rather than with ``over`` forced."""

    player: str
    over: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Condition:
    """One condition of a claim; exactly one of ``path`` and ``gain`` is set.

    ``path`` maps a move to the actions it must play (with probability >= ``at_least`` wherever it
    is reached, and reached with positive probability); ``after`` forces moves (decision or chance)
    to one action or outcome; ``set`` re-solves with parameters changed (the condition must hold in
    every equilibrium of that game); ``negate`` is the file's ``not``. Move names are resolved:
    a player named for its only move is stored under the move's name.
    """

    path: tuple[tuple[str, tuple[str, ...]], ...] = ()
    gain: Gain | None = None
    after: tuple[tuple[str, str], ...] = ()
    set: tuple[tuple[str, float], ...] = ()
    negate: bool = False
    at_least: float = 1.0

    def describe(self) -> str:
        """The condition in short words, e.g. ``after E=in: path I=share``."""
        parts = []
        if self.set:
            parts.append("with " + ", ".join(f"{k}={v:g}" for k, v in self.set))
        if self.after:
            parts.append("after " + ", ".join(f"{k}={v}" for k, v in self.after))
        if self.gain is not None:
            body = f"{self.gain.player} gains over " + ", ".join(f"{k}={v}" for k, v in self.gain.over)
        else:
            body = "path " + ", ".join(f"{k}={'|'.join(a)}" for k, a in self.path)
            if self.at_least < 1:
                body += f" (p >= {self.at_least:g})"
        parts.append(("not " if self.negate else "") + body)
        return ": ".join(parts)


@dataclass(frozen=True)
class Claim:
    """A claim of the source about a scenario's equilibria (see the module docstring)."""

    id: str
    claim: str
    quote: str
    conditions: tuple[Condition, ...]
    method: str = ""
    sweep: str = ""
    description: str = ""


def parse_claims(ctx: _Ctx, doc: Any, timing, players: Mapping, movers: Mapping[str, tuple[str, ...]],
                 params: Mapping[str, Parameter], aliases: Mapping[str, str]) -> tuple[Claim, ...]:
    """The ``[[claims]]`` array: each claim and each condition field is checked on its own."""
    if not isinstance(doc, list) or not doc:
        raise ctx.fail("claims", "must be a non-empty array of tables [[claims]]", doc)
    if len(doc) > MAX_CLAIMS:
        raise ctx.fail("claims", f"at most {MAX_CLAIMS} claims are allowed", len(doc))
    chance = {m.key for m in timing if isinstance(m, ChanceMove)} if isinstance(timing, tuple) else set()
    env = _Env(ctx, timing, players, movers, params, aliases, chance)
    out, seen = [], set()
    for k, c in enumerate(doc):
        if isinstance(c, dict) and isinstance(c.get("id"), str) and len(c["id"]) <= 60:
            ctx.labels[("claims", k)] = c["id"]
        with ctx.part():
            out.append(_claim(env, k, c, seen))
    return tuple(out)


@dataclass
class _Env:
    ctx: _Ctx
    timing: Any
    players: Mapping
    movers: Mapping[str, tuple[str, ...]]
    params: Mapping[str, Parameter]
    aliases: Mapping[str, str]
    chance: set


def _claim(env: _Env, k: int, c: Any, seen: set) -> Claim:
    ctx = env.ctx
    where = f"claims[{k}]"
    c = _table(ctx, c, where)
    failed = bool(_keys(ctx, c, where, {"id", "claim", "quote", "conditions"}, {"method", "sweep", "description"}))
    values: dict[str, Any] = {}

    def check(name, fn, default=""):
        nonlocal failed
        with ctx.part() as part:
            values[name] = fn(c[name]) if name in c else default
        failed |= part.failed

    def cid(x):
        x = _str(ctx, x, f"{where}.id", _CLAIM_ID, "a claim id")
        if x in seen:
            raise ctx.fail(f"{where}.id", "duplicate claim id", x)
        seen.add(x)
        return x

    def sentence(name):
        def f(x):
            x = _str(ctx, x, f"{where}.{name}")
            if not x.strip():
                raise ctx.fail(f"{where}.{name}", "must not be empty", x)
            return x
        return f

    def method(x):
        x = _str(ctx, x, f"{where}.method")
        if x not in CLAIM_METHODS:
            raise ctx.fail(f"{where}.method", "must be a method that returns behaviour strategies or profiles "
                           f"{list(CLAIM_METHODS)}", x)
        if env.timing == "simultaneous" and x in TREE_METHODS:
            raise ctx.fail(f"{where}.method", f"a simultaneous scenario takes one of {list(GAME_METHODS)}", x)
        if isinstance(env.timing, tuple) and x in GAME_METHODS:
            raise ctx.fail(f"{where}.method", f"a sequential scenario takes one of {list(TREE_METHODS)}", x)
        return x

    def sweep(x):
        x = _str(ctx, x, f"{where}.sweep")
        if not x.endswith(".toml") or x.startswith("/") or "\\" in x:
            raise ctx.fail(f"{where}.sweep", "must be a relative path to a .toml sweep file", x)
        return x

    check("id", cid)
    check("claim", sentence("claim"))
    check("quote", sentence("quote"))
    check("method", method)
    check("sweep", sweep)
    check("description", lambda x: _str(ctx, x, f"{where}.description"))
    conds = []
    with ctx.part() as part:
        if "conditions" in c:
            doc = c["conditions"]
            if not isinstance(doc, list) or not doc:
                raise ctx.fail(f"{where}.conditions", "must be a non-empty list of condition tables", doc)
            if len(doc) > MAX_CONDITIONS:
                raise ctx.fail(f"{where}.conditions", f"at most {MAX_CONDITIONS} conditions are allowed", len(doc))
            for j, d in enumerate(doc):
                with ctx.part() as cp:
                    conds.append(_condition(env, f"{where}.conditions[{j}]", d))
                part.failed |= cp.failed
    failed |= part.failed
    if failed:
        raise _Skip
    return Claim(values["id"], values["claim"], values["quote"], tuple(conds), values["method"], values["sweep"],
                 values["description"])


def _condition(env: _Env, where: str, d: Any) -> Condition:
    ctx = env.ctx
    d = _table(ctx, d, where)
    _complete(ctx, d, where, set(), {"path", "gain", "after", "set", "not", "at_least"})
    if ("path" in d) == ("gain" in d):
        raise ctx.fail(where, "needs exactly one of 'path' and 'gain'", sorted(d))
    failed = False
    out: dict[str, Any] = {}

    def check(name, fn, default):
        nonlocal failed
        with ctx.part() as part:
            out[name] = fn(d[name]) if name in d else default
        failed |= part.failed

    check("path", lambda x: _path(env, f"{where}.path", x), ())
    check("gain", lambda x: _gain(env, f"{where}.gain", x), None)
    check("after", lambda x: _forced(env, f"{where}.after", x, chance=True), ())
    check("set", lambda x: _set(env, f"{where}.set", x), ())
    check("not", lambda x: _bool(ctx, x, f"{where}.not"), False)

    def at_least(x):
        w = f"{where}.at_least"
        if "path" not in d:
            raise ctx.fail(w, "applies to 'path' conditions only", x)
        x = _number(ctx, x, w)
        if not 0 < x <= 1:
            raise ctx.fail(w, "must lie in (0, 1]", x)
        return x

    check("at_least", at_least, 1.0)
    if failed:
        raise _Skip
    return Condition(out["path"], out["gain"], out["after"], out["set"], out["not"], out["at_least"])


def _mover(env: _Env, w: str, mover: str, *, chance: bool) -> str:
    """A move's name (a player's name standing for its only move is resolved)."""
    ctx = env.ctx
    if ("mover", mover) in ctx.broken:
        raise _Skip
    if mover in env.aliases:
        if not env.aliases[mover]:
            raise ctx.fail(w, f"{mover} moves more than once; name one of its moves", mover)
        mover = env.aliases[mover]
    known = {m for m in env.movers if chance or m not in env.chance}
    if mover not in known:
        ctx.need("mover", mover)
        what = "player or move" if chance else "player or decision move"
        raise ctx.fail(w, f"unknown {what}; known are {sorted(known)}", mover)
    return mover


def _nonempty_table(ctx, x, where):
    x = _table(ctx, x, where)
    if not x:
        raise ctx.fail(where, "must not be empty", x)
    return x


def _path(env: _Env, where: str, x: Any) -> tuple:
    ctx = env.ctx
    x = _nonempty_table(ctx, x, where)
    out = []
    for mover, allowed in x.items():
        w = f"{where}.{mover}"
        key = _mover(env, w, mover, chance=True)
        names = _names(ctx, [allowed] if isinstance(allowed, str) else allowed, w, _ACTION, "action names")
        for a in names:
            if a not in env.movers[key]:
                raise ctx.fail(w, f"unknown action of {key}; actions are {list(env.movers[key])}", a)
        if any(k == key for k, _ in out):
            raise ctx.fail(w, "names the same move twice", mover)
        out.append((key, names))
    return tuple(out)


def _forced(env: _Env, where: str, x: Any, *, chance: bool) -> tuple:
    ctx = env.ctx
    x = _nonempty_table(ctx, x, where)
    out = []
    for mover, action in x.items():
        w = f"{where}.{mover}"
        key = _mover(env, w, mover, chance=chance)
        if not isinstance(action, str):
            raise ctx.fail(w, "must be one action (or chance outcome) name", action)
        if action not in env.movers[key]:
            what = "outcome" if key in env.chance else "action"
            raise ctx.fail(w, f"unknown {what} of {key}; {what}s are {list(env.movers[key])}", action)
        if any(k == key for k, _ in out):
            raise ctx.fail(w, "names the same move twice", mover)
        out.append((key, action))
    return tuple(out)


def _gain(env: _Env, where: str, x: Any) -> Gain:
    ctx = env.ctx
    x = _table(ctx, x, where)
    _complete(ctx, x, where, {"player", "over"}, set())
    player = _str(ctx, x["player"], f"{where}.player")
    if player not in env.players:
        ctx.need("player", player)
        raise ctx.fail(f"{where}.player", f"unknown player; players are {sorted(env.players)}", player)
    return Gain(player, _forced(env, f"{where}.over", x["over"], chance=False))


def _set(env: _Env, where: str, x: Any) -> tuple:
    ctx = env.ctx
    x = _nonempty_table(ctx, x, where)
    out = []
    for name, value in x.items():
        w = f"{where}.{name}"
        if name not in env.params:
            ctx.need("parameter", name)
            raise ctx.fail(w, f"unknown parameter; parameters are {sorted(env.params)}", name)
        v = _number(ctx, value, w)
        p = env.params[name]
        if (p.min is not None and v < p.min) or (p.max is not None and v > p.max):
            raise ctx.fail(w, f"must lie within the parameter's bounds [{p.min}, {p.max}]", v)
        out.append((name, v))
    return tuple(out)


__all__ = ["CLAIM_METHODS", "Claim", "Condition", "Gain", "MAX_CONDITIONS", "parse_claims"]
