"""Conditions on a sweep's results, one boolean per point: the ``--where`` of ``bargain discover``.

A condition is ``KIND: BODY``, read by a small parser (regular expressions over names, numbers
and a fixed set of operators; nothing is ever evaluated as an expression):

``outcome: PLAYER=ACTION[, PLAYER=ACTION...]``
    Some equilibrium of the point has every named player play the action (with positive
    probability: a mixed equilibrium plays each action of its support). For a sequential scenario
    ``ACTION`` is an action of one of the player's moves, played on the equilibrium path
    (``outcome: Iran=halt``), or else a whole strategy as the sweep names it
    (``Iran=halt/halt/...``); for a simultaneous one, the player's action.
``path: [PLAYER.]MOVE=ACTION[, ...]``
    A sequential scenario only: on some equilibrium's path of play, the move (its key in the
    scenario's timing) is answered with the action (``path: Russia.russia_iran=pressure``).
    Through a chance move every branch of positive probability at the defaults counts.
``regime: NAME``
    The point's regime: its short name (``R1`` is the most frequent, as ``bargain compare``
    numbers them) or its full label.
``payoff: PLAYER OP NUMBER``
    The player's payoff in the point's selected equilibrium (the first the solver lists,
    ``eq_index`` 0) compares as asked; ``OP`` is one of ``>=``, ``>``, ``<=``, ``<``.

With ``every=True`` (``--all``), outcome and path conditions must hold in every equilibrium of the
point and payoff conditions in every equilibrium too; a point without any equilibrium meets no
outcome, path or payoff condition. Several conditions all have to hold.

Axis conventions: the input is the sweep's result table (one row per equilibrium per point and
method, :func:`analysis.sweep.run.read_results`); the output is one boolean per point, in the
order of :func:`analysis.compare.point_table`.

Examples
--------
>>> parse_condition("payoff: US >= 0.5")
Condition(kind='payoff', text='payoff: US >= 0.5', terms=(('US', '>=', '0.5'),))
>>> parse_condition("outcome: Iran=halt, US=drop").terms
(('Iran', '=', 'halt'), ('US', '=', 'drop'))
>>> parse_condition("outcome Iran=halt")
Traceback (most recent call last):
analysis.conditions.ConditionError: --where 'outcome Iran=halt': expected KIND: BODY with KIND one of outcome, path, regime, payoff
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

KINDS = ("outcome", "path", "regime", "payoff")
OPERATORS = (">=", "<=", ">", "<")
#: Probabilities above this count as played (a mixed equilibrium's support).
PLAYED = 1e-9

_NAME = r"[^\s=,<>:][^=,<>]*?"
_HEAD = re.compile(r"^\s*([A-Za-z]+)\s*:\s*(.*?)\s*$", re.S)
_PAIR = re.compile(rf"^\s*({_NAME})\s*=\s*({_NAME})\s*$")
_PAYOFF = re.compile(rf"^\s*({_NAME})\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


class ConditionError(ValueError):
    """A ``--where`` condition that cannot be read, or names what the sweep does not hold."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its kind, the text as written, and its terms.

    ``terms`` are ``(name, "=", action)`` pairs for outcome and path conditions (the name is
    ``PLAYER`` or ``[PLAYER.]MOVE``), ``((name, "=", ""),)`` for a regime, and ``((player, op,
    number),)`` for a payoff (the number kept as written).
    """

    kind: str
    text: str
    terms: tuple[tuple[str, str, str], ...]

    def error(self, message: str) -> ConditionError:
        return ConditionError(f"--where {self.text!r}: {message}")


def parse_condition(text: str) -> Condition:
    """Read ``KIND: BODY`` (see the module docstring); a :class:`ConditionError` names the text.

    >>> parse_condition("regime: R2")
    Condition(kind='regime', text='regime: R2', terms=(('R2', '=', ''),))
    >>> parse_condition("payoff: US >= x")
    Traceback (most recent call last):
    analysis.conditions.ConditionError: --where 'payoff: US >= x': expected PLAYER OP NUMBER with OP one of >=, <=, >, <
    """
    if not isinstance(text, str):
        raise ConditionError(f"--where must be text; got {text!r}")
    head = _HEAD.match(text)
    if not head or head.group(1).lower() not in KINDS:
        raise ConditionError(f"--where {text!r}: expected KIND: BODY with KIND one of {', '.join(KINDS)}")
    kind, body = head.group(1).lower(), head.group(2)
    if not body:
        raise ConditionError(f"--where {text!r}: the condition after '{kind}:' is empty")
    if kind == "regime":
        return Condition(kind, text, ((body, "=", ""),))
    if kind == "payoff":
        m = _PAYOFF.match(body)
        if not m:
            raise ConditionError(f"--where {text!r}: expected PLAYER OP NUMBER with OP one of {', '.join(OPERATORS)}")
        if not math.isfinite(float(m.group(3))):
            raise ConditionError(f"--where {text!r}: the number must be finite")
        return Condition(kind, text, ((m.group(1), m.group(2), m.group(3)),))
    terms = []
    for part in body.split(","):
        m = _PAIR.match(part)
        if not m:
            what = "PLAYER=ACTION" if kind == "outcome" else "[PLAYER.]MOVE=ACTION"
            raise ConditionError(f"--where {text!r}: expected {what}[, ...]; got {part.strip()!r}")
        terms.append((m.group(1), "=", m.group(2)))
    return Condition(kind, text, tuple(terms))


# ----------------------------------------------------------------------------------------------
# evaluation on a sweep table


@dataclass(frozen=True)
class SweepView:
    """What conditions are evaluated on: one method's rows of a sweep table, its players and
    actions (from the ``prob.`` columns), and for a sequential scenario the tree at the defaults."""

    rows: object  # pandas DataFrame: the method's rows
    points: np.ndarray  # point ids, sorted
    players: tuple[str, ...]
    actions: dict  # player -> tuple of the sweep's action names
    game: object = None  # ExtensiveFormGame of a sequential scenario, else None
    strategies: tuple = ()  # the tree's reduced strategy names per player (game.actions, built once)

    @classmethod
    def of(cls, table, method: str | None = None, compiled=None) -> "SweepView":
        """The view of ``table`` for ``method`` (default the first in the table)."""
        methods = list(dict.fromkeys(table["method"].astype(str)))
        if method is None:
            method = methods[0] if methods else ""
        if method not in methods:
            raise ConditionError(f"the sweep has no results of method {method!r}; it has {methods}")
        rows = table[table["method"].astype(str) == method].reset_index(drop=True)
        players: dict[str, list[str]] = {}
        for c in rows.columns:
            if c.startswith("prob."):
                player, _, action = c[len("prob."):].partition(".")
                players.setdefault(player, []).append(action)
        game = compiled.game() if compiled is not None and compiled.sequential else None
        return cls(rows, np.unique(rows["point_id"].to_numpy()), tuple(players),
                   {p: tuple(a) for p, a in players.items()}, game, tuple(game.actions) if game is not None else ())

    # --- per equilibrium row ------------------------------------------------------------------
    def played(self, player: str, action: str) -> np.ndarray:
        return np.nan_to_num(self.rows[f"prob.{player}.{action}"].to_numpy(float)) > PLAYED

    def path_facts(self) -> tuple[np.ndarray, list[frozenset]]:
        """Each row's code and, per code, the set of ``(player, move, action)`` on its path."""
        path_named = any("=" in a for acts in self.actions.values() for a in acts)
        cols = [f"prob.{p}.{a}" for p in self.players for a in self.actions[p]]
        probs = np.nan_to_num(self.rows[cols].to_numpy(float))
        uniq, codes = np.unique(np.round(probs, 9), axis=0, return_inverse=True)
        facts = []
        for row in uniq:
            if path_named:  # the sweep names each move's action on the path: "move=action"
                facts.append(frozenset((p, *a.split("=", 1)) for (p, a), v in
                                       zip(((p, a) for p in self.players for a in self.actions[p]), row)
                                       if v > PLAYED))
            elif self.game is None or not row.any():
                facts.append(frozenset())
            else:
                facts.append(self._reduced_path(row))
        return codes.ravel(), facts

    def _reduced_path(self, row: np.ndarray) -> frozenset:
        from sim.extensive.reduced import behaviour_from_mixed
        from sim.extensive.spe import equilibrium_path

        g = self.game
        at = {f"{p}.{a}": v for (p, a), v in
              zip(((p, a) for p in self.players for a in self.actions[p]), row)}
        profile = [np.array([at.get(f"{p}.{a}", 0.0) for a in self.strategies[i]]) for i, p in enumerate(g.players)]
        steps = equilibrium_path(g, behaviour_from_mixed(g, profile))
        return frozenset((s["mover"], s["node"], s["action"]) for s in steps if s["mover"] != "chance")

    def moves(self) -> dict[str, tuple[str, dict]]:
        """Each player move of the tree: key -> (player, {action, ...})."""
        from sim.extensive.tree import Decision

        out: dict = {}
        if self.game is None:
            return out
        for _, node in self.game.nodes():
            if isinstance(node, Decision):
                player = self.game.players[node.player]
                out.setdefault(node.label, (player, set()))[1].update(node.actions)
        return out

    def per_point(self, rows_true: np.ndarray, every: bool, has_eq: np.ndarray) -> np.ndarray:
        """Aggregate a row condition to points: some row (or every row) of the point, and the
        point has an equilibrium."""
        import pandas as pd

        s = pd.Series(rows_true & has_eq).groupby(self.rows["point_id"].to_numpy())
        out = s.all() if every else s.any()
        ok = pd.Series(has_eq).groupby(self.rows["point_id"].to_numpy()).any()
        return (out & ok).reindex(self.points).to_numpy(bool)


def _check_player(cond: Condition, view: SweepView, player: str) -> None:
    if player not in view.actions:
        raise cond.error(f"the sweep has no player {player!r}; it has {', '.join(view.players)}")


def evaluate(cond: Condition, view: SweepView, *, every: bool = False) -> np.ndarray:
    """One boolean per point of ``view`` (sorted point ids): where ``cond`` holds."""
    rows = view.rows
    has_eq = rows["n_equilibria"].to_numpy() > 0
    if cond.kind == "regime":
        from analysis.compare import point_table, regime_key, regime_table

        name = cond.terms[0][0]
        table = regime_table(rows)
        key = regime_key([r["regime"] for r in table])
        by_name = {v.lower(): k for k, v in key.items()}
        label = name if name in key else by_name.get(name.lower())
        if label is None:
            listed = "; ".join(f"{key[r['regime']]} ({r['share']:.0%}) {r['regime']}" for r in table[:6])
            raise cond.error(f"the sweep has no regime {name!r}; it has {len(table)}: {listed}"
                             + ("; ..." if len(table) > 6 else ""))
        pts = point_table(rows)
        return pts.set_index("point_id")["regime"].reindex(view.points).to_numpy() == label
    if cond.kind == "payoff":
        player, op, number = cond.terms[0]
        _check_player(cond, view, player)
        pay = rows[f"payoff.{player}"].to_numpy(float)
        value = float(number)
        with np.errstate(invalid="ignore"):
            hit = {">=": pay >= value, ">": pay > value, "<=": pay <= value, "<": pay < value}[op]
        hit &= np.isfinite(pay)
        if every:
            return view.per_point(hit, True, has_eq)
        first = rows["eq_index"].to_numpy() <= 0
        return view.per_point(hit & first, False, has_eq)
    # outcome and path: every term in the same equilibrium row
    hit = np.ones(len(rows), dtype=bool)
    codes, facts = None, None
    moves = None
    for name, _, action in cond.terms:
        if cond.kind == "outcome":
            _check_player(cond, view, name)
            path_named = any("=" in a for acts in view.actions.values() for a in acts)
            own: list[str] = []
            if view.game is not None or path_named:
                # A tree: an action of one of the player's moves, played on the equilibrium path.
                if view.game is not None:
                    moves = moves if moves is not None else view.moves()
                    own = sorted({a for p, acts in moves.values() if p == name for a in acts})
                else:
                    own = sorted({a.split("=", 1)[1] for a in view.actions[name]})
                if action in own:
                    if codes is None:
                        codes, facts = view.path_facts()
                    ok = np.array([any(p == name and a == action for p, _, a in f) for f in facts], dtype=bool)
                    hit &= ok[codes] if len(codes) else np.zeros(0, dtype=bool)
                    continue
            if action in view.actions[name]:  # the action (or a tree's strategy) as the sweep names it
                hit &= view.played(name, action)
                continue
            if own:
                raise cond.error(f"{name} has no action {action!r} on any of its moves; its moves' actions are "
                                 f"{_listing(own)}")
            raise cond.error(f"{name} has no action {action!r}; it has {_listing(view.actions[name])}"
                             + _tree_hint(view))
        # path
        player, sep, move = name.rpartition(".")
        path_named = any("=" in a for acts in view.actions.values() for a in acts)
        if view.game is None and not path_named:
            raise cond.error("path conditions need a sequential scenario's tree; this sweep's scenario is "
                             "simultaneous, or was not found by its content hash (pass --scenario)")
        if view.game is not None:
            moves = moves if moves is not None else view.moves()
            if move not in moves:
                raise cond.error(f"the scenario has no move {move!r}; its moves are {_listing(list(moves))}")
            owner, acts = moves[move]
            if sep and player != owner:
                raise cond.error(f"move {move!r} is {owner}'s, not {player}'s")
            if action not in acts:
                raise cond.error(f"move {move!r} has no action {action!r}; it has {_listing(sorted(acts))}")
        else:
            owners = [p for p in view.players if f"{move}={action}" in view.actions[p]]
            if not owners or (sep and player not in owners):
                raise cond.error(f"no move {move!r} with action {action!r} in the sweep's path columns")
        if codes is None:
            codes, facts = view.path_facts()
        ok = np.array([any(m == move and a == action and (not sep or p == player) for p, m, a in f) for f in facts],
                      dtype=bool)
        hit &= ok[codes] if len(codes) else np.zeros(0, dtype=bool)
    return view.per_point(hit, every, has_eq)


def _listing(items: Sequence[str], limit: int = 8) -> str:
    items = list(items)
    return ", ".join(items[:limit]) + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def _tree_hint(view: SweepView) -> str:
    strategies = any("/" in a for acts in view.actions.values() for a in acts)
    return ("; a tree's moves are known only with the scenario the sweep ran on (pass --scenario)"
            if strategies else "")


def where(table, conditions: Sequence[str | Condition], *, method: str | None = None, compiled=None,
          every: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The sorted point ids of ``table`` (one method's) and where every condition holds.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"point_id": [0, 0, 1], "method": "enumpure", "eq_index": [0, 1, 0],
    ...                    "n_equilibria": [2, 2, 1], "regime": ["A=x | A=y", "A=x | A=y", "A=y"],
    ...                    "prob.A.x": [1.0, 0.0, 0.0], "prob.A.y": [0.0, 1.0, 1.0],
    ...                    "payoff.A": [0.5, 0.2, 0.7]})
    >>> where(df, ["outcome: A=x"])[1], where(df, ["outcome: A=y"], every=True)[1]
    (array([ True, False]), array([False,  True]))
    >>> where(df, ["payoff: A > 0.4", "regime: R2"])[1]
    array([False,  True])
    >>> where(df, ["outcome: B=x"])
    Traceback (most recent call last):
    analysis.conditions.ConditionError: --where 'outcome: B=x': the sweep has no player 'B'; it has A
    """
    if not conditions:
        raise ConditionError("--where: give at least one condition")
    parsed = [c if isinstance(c, Condition) else parse_condition(c) for c in conditions]
    view = SweepView.of(table, method, compiled)
    out = np.ones(len(view.points), dtype=bool)
    for c in parsed:
        out &= evaluate(c, view, every=every)
    return view.points, out
