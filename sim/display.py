"""How games, scenarios and results show themselves in a notebook: HTML tables and data frames.

Jupyter calls an object's ``_repr_html_`` to display it; the frozen types of :mod:`sim` delegate
to the functions here, so that the display of every type is written once, with action names
rather than index arrays, and is escaped (a scenario's titles and quotes are user text).
``result_frame`` is the tabular form of a :class:`~sim.result.SolverResult` (one row per
equilibrium), for pandas users; pandas is imported only when it is called.

Long tables are capped (:data:`MAX_ROWS` rows) with a note saying how many rows were left out.

Examples
--------
>>> from sim.game import NormalFormGame
>>> from sim.solvers.pure import enumpure_solve
>>> game = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], players=("Row", "Column"),
...                                     actions=(("cooperate", "defect"), ("cooperate", "defect")))
>>> html = result_html(enumpure_solve(game))
>>> "defect" in html and "max regret" in html
True
>>> result_frame(enumpure_solve(game))[["Row", "Column", "payoff Row", "max_regret"]]
      Row  Column  payoff Row  max_regret
0  defect  defect         1.0         0.0
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.game import NormalFormGame
    from sim.result import Equilibrium, SolverResult
    from sim.scenario.schema import Scenario

#: Rows shown in any one table before the rest is summarised in a note.
MAX_ROWS = 50
#: A probability at or below this is not shown in a strategy.
SHOWN_PROBABILITY = 1e-9

_STYLE = ("<style>.bsim table{border-collapse:collapse;margin:.3em 0}"
          ".bsim th,.bsim td{border:1px solid #ccc;padding:2px 8px;text-align:left}"
          ".bsim th{background:#f3f3f3}.bsim .note{color:#555;font-size:90%}</style>")


def number(x: float, digits: int = 4) -> str:
    """A payoff or probability as a reader wants it: rounded, no ``-0``, no ``1.388e-17``.

    Examples
    --------
    >>> number(1.388e-17), number(-1e-12), number(2 / 3), number(1e6)
    ('0', '0', '0.6667', '1e+06')
    """
    x = float(x)
    if not np.isfinite(x):
        return str(x)
    scale = max(1.0, abs(x))
    if abs(x) < 1e-9 * scale:
        return "0"
    return f"{x:.{digits}g}"


def strategy_text(actions: Sequence[str], probabilities) -> str:
    """A mixed strategy in words: ``"drop"`` when pure, else ``"keep 0.4, drop 0.6"``.

    Examples
    --------
    >>> strategy_text(("keep", "drop"), [0.0, 1.0])
    'drop'
    >>> strategy_text(("keep", "drop"), [0.25, 0.75])
    'keep 0.25, drop 0.75'
    """
    p = np.asarray(probabilities, dtype=float)
    shown = [(a, x) for a, x in zip(actions, p) if x > SHOWN_PROBABILITY]
    if len(shown) == 1 and shown[0][1] > 1 - 1e-9:
        return shown[0][0]
    return ", ".join(f"{a} {number(x)}" for a, x in shown)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], *, total: int | None = None) -> str:
    rows = list(rows)
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows[:MAX_ROWS])
    html = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    total = len(rows) if total is None else total
    if total > MAX_ROWS:
        html += f"<p class='note'>{MAX_ROWS} of {total} rows shown.</p>"
    return html


def _wrap(title: str, *parts: str) -> str:
    return f"{_STYLE}<div class='bsim'><p><b>{escape(title)}</b></p>{''.join(parts)}</div>"


# ----------------------------------------------------------------------------------------------
# games


def game_html(game: "NormalFormGame") -> str:
    """A normal-form game as HTML: a bimatrix for two players, else one row per outcome.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[0, 1], [1, 0]])
    >>> "<table>" in game_html(g)
    True
    """
    dims = " x ".join(map(str, game.shape))
    title = f"Normal-form game, {dims} ({', '.join(game.players)})"
    if game.n_players == 2:
        a, b = game.payoffs[..., 0], game.payoffs[..., 1]
        header = [f"{game.players[0]} \\ {game.players[1]}", *game.actions[1]]
        rows = [[game.actions[0][i], *(f"{number(a[i, j])}, {number(b[i, j])}" for j in range(game.shape[1]))]
                for i in range(game.shape[0])]
        return _wrap(title, _table(header, rows))
    total = int(np.prod(game.shape))

    def rows():
        for k, idx in enumerate(np.ndindex(*game.shape)):
            if k >= MAX_ROWS:
                return
            yield [*(game.actions[i][a] for i, a in enumerate(idx)), *(number(v) for v in game.payoffs[idx])]

    header = [*game.players, *(f"payoff {p}" for p in game.players)]
    return _wrap(title, _table(header, rows(), total=total))


def tree_html(game) -> str:
    """A game tree as HTML: its size and each decision point with its mover and actions."""
    title = (f"Game tree {game.title!r}: {game.n_nodes} nodes, {len(game.infosets)} decision points "
             f"({', '.join(game.players)})")
    from sim.extensive.names import decision_point_names

    names = decision_point_names(game)
    rows = [[names[h], game.players[i], ", ".join(acts), h] for h, (i, acts) in game.infosets.items()]
    return _wrap(title, _table(["decision point", "mover", "actions", "id"], rows))


# ----------------------------------------------------------------------------------------------
# results


def _equilibrium_cells(game, eq: "Equilibrium", names=None) -> list[str]:
    """Each player's strategy in words: on a tree, ``decision point: action`` for each of its
    decision points, named by the mover and what it has seen (``names``,
    :func:`sim.extensive.names.decision_point_names`)."""
    if not eq.profile and eq.behaviour is not None:
        cells = []
        for i, _ in enumerate(game.players):
            parts = [f"{names.get(h, h) if names else h}: {strategy_text(game.infosets[h][1], x)}"
                     for h, x in eq.behaviour.items() if game.infosets[h][0] == i]
            cells.append("; ".join(parts))
        return cells
    return [strategy_text(game.actions[i], p) for i, p in enumerate(eq.profile)]


def _tree_view(result):
    """``(names, play)`` of a result on a tree whose equilibria hold behaviour: the decision
    points' readable names and each equilibrium's play (:func:`sim.extensive.names.play_text`);
    ``(None, None)`` for any other result."""
    game = result.game
    if getattr(game, "infosets", None) is None or any(e.behaviour is None for e in result.equilibria):
        return None, None
    from sim.extensive.names import decision_point_names, play_text

    return decision_point_names(game), [play_text(game, e.behaviour) for e in result.equilibria]


def result_html(result: "SolverResult") -> str:
    """A solver's result as HTML: its status, then one row per equilibrium with its measured regret."""
    game = result.game
    status = [("complete" if result.complete else "not complete")]
    if result.degenerate:
        status.append("degenerate game")
    if result.converged is not None:
        status.append("converged" if result.converged else "did not converge")
    n = len(result.equilibria)
    title = f"{result.method}: {n} equilibri{'um' if n == 1 else 'a'} ({', '.join(status)})"
    names, plays = _tree_view(result)
    header = ["#", *(["play"] if plays else []), *game.players, *(f"payoff {p}" for p in game.players), "max regret"]
    rows = [[k + 1, *([plays[k]] if plays else []), *_equilibrium_cells(game, eq, names),
             *(number(v) for v in eq.payoffs), f"{eq.max_regret:.2g}"]
            for k, eq in enumerate(result.equilibria)]
    return _wrap(title, _table(header, rows))


def result_frame(result: "SolverResult"):
    """One row per equilibrium: each player's strategy in words, each payoff, the measured regret,
    and (for profiles over actions) one ``"player: action"`` column per probability. A tree's
    equilibrium also has its ``play`` (each move by player and action, each branch with its
    probability) and names each decision point by its mover and what it has seen.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    game = result.game
    scale = max((float(np.max(np.abs(e.payoffs))) for e in result.equilibria), default=1.0)
    names, plays = _tree_view(result)
    records = []
    for k, eq in enumerate(result.equilibria):
        row: dict = {"play": plays[k]} if plays else {}
        row.update(zip(game.players, _equilibrium_cells(game, eq, names)))
        # round-off (a payoff of 1e-16 where the algebra gives 0) is shown as the 0 it is
        row.update({f"payoff {p}": 0.0 if abs(v) <= 1e-12 * max(scale, 1e-300) else float(v)
                    for p, v in zip(game.players, eq.payoffs)})
        row["max_regret"] = float(eq.max_regret)
        if eq.profile:
            for i, p in enumerate(game.players):
                row.update({f"{p}: {a}": float(x) for a, x in zip(game.actions[i], eq.profile[i])})
        records.append(row)
    columns = [*game.players, *(f"payoff {p}" for p in game.players), "max_regret"]
    return pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=columns)


# ----------------------------------------------------------------------------------------------
# scenarios


def scenario_text(scenario: "Scenario") -> str:
    """A one-line summary: id, players, timing and counts."""
    timing = "simultaneous" if not scenario.sequential else f"{len(scenario.timing)} moves in turn"
    return (f"Scenario({scenario.id!r}: {len(scenario.players)} players ({', '.join(scenario.player_names)}), "
            f"{timing}, {len(scenario.goals)} goals, {len(scenario.parameters)} parameters)")


def _term_text(term) -> str:
    return number(term) if isinstance(term, (int, float)) else str(term)


def scenario_html(scenario: "Scenario") -> str:
    """A scenario as HTML: players and actions, timing, parameters (assumptions marked) and goals
    with their quotes."""
    parts = []
    if scenario.description:
        parts.append(f"<p>{escape(scenario.description)}</p>")
    parts.append(_table(["player", "actions"], [[p, ", ".join(a)] for p, a in scenario.players]))
    if scenario.sequential:
        rows = []
        for m in scenario.timing:
            mover = getattr(m, "player", "chance")
            sees = ", ".join(getattr(m, "observes", ())) or "-"
            rows.append([m.key, mover, sees, "yes" if m.assumption else ""])
        parts.append("<p>Timing" + (" (an assumption)" if scenario.timing_assumption else "") + "</p>")
        parts.append(_table(["move", "mover", "observes", "assumption"], rows))
    if scenario.parameters:
        rows = [[p.name, number(p.default),
                 "" if p.min is None else f"[{number(p.min)}, {number(p.max)}]",
                 "yes" if p.assumption else "", p.description] for p in scenario.parameters]
        parts.append(_table(["parameter", "default", "range", "assumption", "description"], rows))
    rows = [[g.player, g.name, _term_text(g.weight), g.quote] for g in scenario.goals]
    parts.append(_table(["player", "goal", "weight", "quote"], rows))
    return _wrap(f"{scenario.id}: {scenario.title}", *parts)
