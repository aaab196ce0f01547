"""Where equilibria appear, vanish or merge along a grid sweep: the cells where the set changes.

Neighbouring points of a grid (one step apart along one axis, the others equal) usually have the
same equilibria, moved a little. A *cell* (a pair of such neighbours) where the equilibrium count or
the set of outcome labels (supports) differs brackets an event: equilibria appear, vanish, merge or
change support between the two points. Events are read walking each axis upwards (from the lower
value to the higher one):

* ``appear``: equilibria are gained and none lost (``n_equilibria`` rises);
* ``vanish``: one equilibrium is lost and none gained (it left through a boundary or a tie);
* ``merge``: two or more equilibria are lost and none gained: they met and annihilated between the
  two points (a fold, where equilibria generically vanish in pairs: Harsanyi 1973's oddness theorem
  makes the count of a generic game odd, so it changes by even numbers);
* ``switch``: some lost and some gained (a support changes, e.g. an equilibrium's pure action
  becomes mixed).

The bracket is as fine as the grid: the event happened somewhere in the cell (a finer grid, or the
exact regions of ``bargain regions`` for pure equilibria, locate it further).

Examples
--------
A 1-axis grid where a pair of equilibria vanishes between 0.0 and 0.5:

>>> import pandas as pd
>>> rows = pd.DataFrame({"point_id": [0, 0, 0, 1, 2], "method": "enumpoly",
...                      "n_equilibria": [3, 3, 3, 1, 1],
...                      "outcome": ["A=x, B=x", "A=x|y, B=x|y", "A=y, B=y", "A=y, B=y", "A=y, B=y"]})
>>> ev = grid_events(rows, [("t", [0.0, 0.5, 1.0])])
>>> ev[["axis", "from", "to", "n_from", "n_to", "kind", "lost"]].to_dict("records")
[{'axis': 't', 'from': 0.0, 'to': 0.5, 'n_from': 3, 'n_to': 1, 'kind': 'merge', 'lost': 'A=x, B=x; A=x|y, B=x|y'}]
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas is imported where a table is built
    import pandas as pd

NONE_OUTCOME = "(none)"
COLUMNS = ["method", "axis", "point_from", "point_to", "from", "to", "n_from", "n_to", "kind", "lost", "gained"]


def grid_events(table, axes) -> "pd.DataFrame":
    """Cells of a grid where a method's equilibria appear, vanish, merge or switch.

    Parameters
    ----------
    table : pandas.DataFrame
        Sweep rows with at least ``point_id``, ``method``, ``n_equilibria`` and ``outcome`` (as
        :func:`analysis.sweep.run.read_results` gives them).
    axes : sequence of ``(name, values)``
        The grid's axes in the sweep's order (point ids unravel over them, last axis fastest).

    Returns
    -------
    pandas.DataFrame
        One row per cell with an event: the method, the axis, the two point ids and axis values,
        the counts at each, the kind (see the module docstring) and the outcome labels lost and
        gained (``"; "``-joined, sorted), ordered by method, axis and lower point id.
    """
    import pandas as pd

    shape = tuple(len(v) for _, v in axes)
    n_points = int(np.prod(shape))
    strides = [int(np.prod(shape[k + 1:])) for k in range(len(shape))]
    out = []
    for method, rows in table.groupby("method", observed=True, sort=True):
        pid = rows["point_id"].to_numpy()
        outcome = rows["outcome"].astype(str).to_numpy()
        order = np.lexsort((outcome, pid))
        pid, outcome = pid[order], outcome[order]
        count = np.full(n_points, -1, dtype=np.int64)
        count[pid] = rows["n_equilibria"].to_numpy()[order]
        # One code per point for its sorted list of outcomes (equal lists, equal codes).
        starts = np.searchsorted(pid, np.arange(n_points + 1))
        key = np.array(["\n".join(outcome[starts[p]:starts[p + 1]]) for p in range(n_points)], dtype=object)
        _, code = np.unique(key.astype(str), return_inverse=True)
        for k, (name, values) in enumerate(axes):
            idx = np.arange(n_points)
            lower = idx[(idx // strides[k]) % shape[k] < shape[k] - 1]
            upper = lower + strides[k]
            known = (count[lower] >= 0) & (count[upper] >= 0)
            diff = known & ((code[lower] != code[upper]) | (count[lower] != count[upper]))
            for a, b in zip(lower[diff], upper[diff]):
                before = Counter(o for o in outcome[starts[a]:starts[a + 1]] if o != NONE_OUTCOME)
                after = Counter(o for o in outcome[starts[b]:starts[b + 1]] if o != NONE_OUTCOME)
                lost, gained = before - after, after - before
                n_lost, n_gained = sum(lost.values()), sum(gained.values())
                if n_lost == 0:
                    kind = "appear"
                elif n_gained == 0:
                    kind = "merge" if n_lost >= 2 else "vanish"
                else:
                    kind = "switch"
                out.append({"method": str(method), "axis": name, "point_from": int(a), "point_to": int(b),
                            "from": float(values[(a // strides[k]) % shape[k]]),
                            "to": float(values[(b // strides[k]) % shape[k]]),
                            "n_from": int(count[a]), "n_to": int(count[b]), "kind": kind,
                            "lost": "; ".join(sorted(lost.elements())),
                            "gained": "; ".join(sorted(gained.elements()))})
    return pd.DataFrame(out, columns=COLUMNS)


def sweep_events(out_dir, methods=None) -> "pd.DataFrame":
    """:func:`grid_events` of a finished grid sweep's folder (its own axes, from the manifest).

    Raises ``ScenarioError`` naming the folder when the sweep is not a grid (a sample has no
    neighbours to compare)."""
    from pathlib import Path

    from analysis.sweep.folder import load_manifest
    from analysis.sweep.run import read_results
    from sim.errors import ScenarioError

    from analysis.sweep.spec import _grid_axis

    manifest = load_manifest(Path(out_dir))
    raw = manifest.get("spec") or {}
    grid = (raw.get("sweep", raw) or {}).get("grid")
    if not grid:
        raise ScenarioError("equilibrium events need a grid sweep (neighbouring points); this sweep is a sample",
                            path=str(out_dir))
    table = read_results(out_dir)
    if methods is not None:
        table = table[table["method"].isin(list(methods))]
    axes = [(a.name, a.values) for a in (_grid_axis(out_dir, name, spec) for name, spec in grid.items())]
    return grid_events(table, axes)


def format_events(events, limit: int = 20) -> str:
    """The events table as text: a count per kind, then the first ``limit`` cells.

    Examples
    --------
    >>> import pandas as pd
    >>> print(format_events(pd.DataFrame(columns=COLUMNS)))
    equilibrium events: none (the same equilibria at every pair of neighbouring grid points)
    """
    if not len(events):
        return "equilibrium events: none (the same equilibria at every pair of neighbouring grid points)"
    counts = events["kind"].value_counts()
    lines = [f"equilibrium events: {len(events):,} grid cells ("
             + ", ".join(f"{counts[k]:,} {k}" for k in ("appear", "vanish", "merge", "switch") if k in counts) + ")"]
    for r in events.head(limit).to_dict("records"):
        what = "; ".join(x for x in (f"lost {r['lost']}" if r["lost"] else "",
                                     f"gained {r['gained']}" if r["gained"] else "") if x)
        lines.append(f"  {r['method']} {r['axis']} {r['from']:g} -> {r['to']:g} (points {r['point_from']} -> "
                     f"{r['point_to']}): {r['n_from']} -> {r['n_to']} equilibria, {r['kind']}: {what}")
    if len(events) > limit:
        lines.append(f"  ... and {len(events) - limit:,} more (analysis.sweep.events.sweep_events)")
    return "\n".join(lines)
