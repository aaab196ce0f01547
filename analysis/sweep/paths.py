"""The ``path`` column of a sequential scenario's sweep: what happens, move by move, by name.

A tree's equilibrium outcome in a sweep is named by reduced strategies (``"US=keep,
Russia=deploy/*/shield/..."``, one name per plan of every decision point) or, for a larger tree,
by each move's actions on the path (``"us_plan=drop, russia_kaliningrad=halt, ..."``). Neither is
what a reader asks ("does the US drop the shield?"); the ``path`` column is: the play, each move
as its player and action, in the order played (:func:`sim.extensive.names.play_text`):
``"US drop -> Russia halt -> Russia pressure -> NATO engage -> Iran halt"``; a chance move as
``chance: committed -> ...``, its branches joined by ``"; "``; actions a point's equilibrium
mixes over joined by ``|``. Probabilities are left out: a swept prior differs from point to
point (its value is the point's ``param.`` column), and a label is built once per distinct
outcome label, not per row, so it costs nothing per point.

Format versions (the manifest's ``"path_labels"``, :data:`PATH_LABELS`): 1 (no key) is the
earlier text, actions only (``"drop, halt, pressure, engage, halt"``); 2 is the named play.
:func:`upgrade_paths` rebuilds a version-1 folder's column from its outcome labels when the
scenario is at hand, so old folders read as new ones.
"""

from __future__ import annotations

import re

import numpy as np

NONE = "(none)"
#: The version of the ``path`` column's text this code writes (recorded in the sweep manifest).
PATH_LABELS = 2


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


#: A label shortened to ``N outcomes: first | ... #digest`` by the sweep (regime labels over 1,000 characters).
_SHORTENED = re.compile(r"(\d+) outcomes: .* #[0-9a-f]+", re.S)


def path_of_outcome(model, label: str) -> str:
    """The ``path`` text of one outcome label of a sequential scenario's sweep.

    A reduced-strategy label (``"US=drop, Russia=halt/pressure/*, ..."``) is turned into the
    behaviour uniform on each support (Kuhn 1953), whose play is named by
    :func:`sim.extensive.names.play_text`; a ``"path"`` label of a larger tree
    (``"us_plan=drop, russia_kaliningrad=halt|deploy"``) names each move's player, in timing order.
    """
    if label == NONE:
        return NONE
    short = _SHORTENED.fullmatch(label)
    if short:  # a label shortened for memory (analysis/sweep/run.py) names only its first outcomes
        return f"{short.group(1)} outcomes (too many to spell out)"
    if model.naming == "path":  # "us_plan=drop, russia_kaliningrad=halt|deploy": each move's player
        player = {key: model.players[i] for i, key, _ in model.moves}
        parts = [part.split("=", 1) for part in label.split(", ")]
        return " -> ".join(f"{player.get(key, key)} {acts}" for key, acts in parts)
    from sim.extensive.names import play_text
    from sim.extensive.reduced import behaviour_from_mixed

    return play_text(model.tree, behaviour_from_mixed(model.tree, _support_profile(model, label)),
                     probabilities=False) or NONE


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
    keys = ["point_id", "method"] if "method" in df.columns else ["point_id"]
    group = df.groupby(keys, sort=False, observed=True).ngroup().to_numpy()
    path = df["path"].astype(str).to_numpy(dtype=object)
    regime = path.copy()
    sizes = np.bincount(group)
    several = sizes[group] > 1  # most points have one equilibrium: their regime is their path
    if several.any():
        import pandas as pd

        joined = pd.Series(path[several]).groupby(group[several]).agg(lambda v: " | ".join(sorted(set(v))))
        regime[several] = joined.reindex(group[several]).to_numpy(dtype=object)
    return df.assign(regime=regime.astype(str))


def upgrade_paths(df, manifest: dict, model):
    """A tree sweep's table with its ``path`` column in the current format (:data:`PATH_LABELS`).

    A folder written before the column named players (no ``"path_labels"`` in its manifest, or
    an older version) gets the column rebuilt from its ``outcome`` labels, which did not change,
    with ``model`` (:func:`analysis.sweep.run.scenario_model` of the scenario the sweep ran on);
    a folder without a ``path`` column gets one. Without ``model`` (the scenario was not found)
    the table is returned as it is: readable, in the old words. A simultaneous sweep's table is
    returned as it is.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"outcome": ["A=x"], "path": ["x"]})
    >>> upgrade_paths(df, {"path_labels": PATH_LABELS}, None)["path"].tolist()
    ['x']
    """
    if model is None or not getattr(model, "sequential", False):
        return df
    if int(manifest.get("path_labels", 1)) >= PATH_LABELS and "path" in df.columns:
        return df
    outcome = df["outcome"].astype(str)
    texts = {o: path_of_outcome(model, o) for o in outcome.unique()}
    return df.assign(path=outcome.map(texts).astype("category"))
