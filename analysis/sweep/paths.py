"""The ``path`` column of a sequential scenario's sweep: what happens, move by move.

A tree's equilibrium outcome in a sweep is named by reduced strategies (``"US=keep,
Russia=deploy/*/shield/..."``, one name per plan of every decision point) or, for a larger tree,
by each move's actions on the path (``"us_plan=drop, russia_kaliningrad=halt, ..."``). Neither is
what a reader asks ("does the US drop the shield?"); the ``path`` column is: the actions played
on the path, move by move in the order played, ``", "``-joined, with ``|`` between the actions of
a move that play reaches in several ways (after a chance move, or where the equilibrium mixes):
``"drop, halt, pressure, engage, halt"``. It is built once per distinct outcome label, not per
row, so it costs nothing per point.
"""

from __future__ import annotations

import re

import numpy as np

NONE = "(none)"


def _support_profile(model, label: str):
    """The mixed reduced profile, uniform on each player's support, of a ``"reduced"`` label."""
    tree = model.tree
    strategies = dict(part.split("=", 1) for part in label.split(", "))
    profile = []
    for i, p in enumerate(tree.players):
        names = list(model.actions[i])
        support = [names.index(s) for s in strategies[p].split("|")]
        row = np.zeros(len(names))
        row[support] = 1.0 / len(support)
        profile.append(row)
    return profile


def reached_actions(tree, behaviour) -> dict[str, list[str]]:
    """Move (a node's label, else its mover) -> actions played there with positive probability,
    moves in the order play first reaches them (preorder), actions in the tree's order.

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "e", ("out", "in"), (
    ...     Terminal((0.0, 2.0)), Decision(1, "i", ("fight", "yield"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))),
    ...     ), "entry"))
    >>> reached_actions(g, {"e": [0.0, 1.0], "i": [0.0, 1.0]})
    {'entry': ['in'], 'I': ['yield']}
    """
    from sim.extensive.nodes import Chance, Terminal

    out: dict[str, list[str]] = {}
    stack = [tree.root]
    while stack:
        node = stack.pop()
        if isinstance(node, Terminal):
            continue
        if isinstance(node, Chance):
            key, names, probs = node.label or "chance", node.outcomes, node.probs
        else:
            key, names, probs = node.label or tree.players[node.player], node.actions, behaviour[node.infoset]
        seen = out.setdefault(key, [])
        live = [(a, c) for a, p, c in zip(names, probs, node.children) if p > 1e-12]
        for a, _ in live:
            if a not in seen:
                seen.append(a)
        stack.extend(c for _, c in reversed(live))
    return {k: sorted(v, key=list(_names_of(tree, k)).index) if _names_of(tree, k) else v for k, v in out.items() if v}


def _names_of(tree, key: str) -> tuple[str, ...]:
    from sim.extensive.nodes import Chance, Decision

    for _, node in tree.nodes():
        if isinstance(node, Decision) and (node.label or tree.players[node.player]) == key:
            return node.actions
        if isinstance(node, Chance) and (node.label or "chance") == key:
            return node.outcomes
    return ()


def path_text(moves: dict[str, list[str]]) -> str:
    """``"drop, halt, pressure"`` from :func:`reached_actions`' mapping.

    Examples
    --------
    >>> path_text({"us_type": ["committed", "bluffing"], "us_plan": ["drop"]})
    'committed|bluffing, drop'
    """
    return ", ".join("|".join(acts) for acts in moves.values()) or NONE


#: A label shortened to ``N outcomes: first | ... #digest`` by the sweep (regime labels over 1,000 characters).
_SHORTENED = re.compile(r"(\d+) outcomes: .* #[0-9a-f]+", re.S)


def path_of_outcome(model, label: str) -> str:
    """The ``path`` text of one outcome label of a sequential scenario's sweep."""
    if label == NONE:
        return NONE
    short = _SHORTENED.fullmatch(label)
    if short:  # a label shortened for memory (analysis/sweep/run.py) names only its first outcomes
        return f"{short.group(1)} outcomes (too many to spell out)"
    if model.naming == "path":  # "us_plan=drop, russia_kaliningrad=halt|deploy, ...": drop the move names
        return ", ".join(part.split("=", 1)[1] for part in label.split(", "))
    from sim.extensive.reduced import behaviour_from_mixed

    return path_text(reached_actions(model.tree, behaviour_from_mixed(model.tree, _support_profile(model, label))))


def path_column(model, outcome):
    """A dictionary-encoded ``path`` column with the rows of ``outcome`` (a dictionary-encoded
    ``pyarrow`` array of outcome labels)."""
    import pyarrow as pa

    texts = [path_of_outcome(model, str(v)) for v in outcome.dictionary.to_pylist()]
    names, remap = np.unique(np.array(texts, dtype=object), return_inverse=True) if texts else ([], np.zeros(0))
    codes = np.asarray(remap, dtype=np.int32)[np.asarray(outcome.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array([str(n) for n in names], pa.string()))


def path_regimes(df):
    """A tree sweep's table with each point's ``regime`` replaced by what happens there: its
    equilibria's distinct paths of play (the ``path`` column), sorted and ``" | "``-joined. Regimes
    that differ only off the path (in what would be done elsewhere) become one. A table without
    a ``path`` column is returned as it is.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"point_id": [0, 0, 1], "eq_index": [0, 1, 0], "regime": ["r1", "r1", "r2"],
    ...                    "path": ["keep, deploy", "drop, halt", "drop, halt"]})
    >>> path_regimes(df)["regime"].tolist()
    ['drop, halt | keep, deploy', 'drop, halt | keep, deploy', 'drop, halt']
    """
    if "path" not in df.columns:
        return df
    per_point = df.groupby("point_id")["path"].agg(lambda v: " | ".join(sorted(set(map(str, v)))))
    return df.assign(regime=df["point_id"].map(per_point).astype(str))
