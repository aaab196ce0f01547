"""Charts for papers and briefings: each function takes tables or results and returns a Figure.

Nothing here saves a file or touches pyplot's global state: every figure is a
``matplotlib.figure.Figure`` attached to its own Agg canvas, made inside the function, so
importing this module changes nothing and charts can be drawn from worker threads. Only the
report layer (``analysis/report/``) and ``bargain chart`` write figures to disk or inline them as SVG.

Print readability, the same in every chart: axes labelled with parameter, player and action
names (never indices), payoffs in "payoff units" (the scenario's goal weights), the Okabe-Ito
palette (distinguishable under the common colour-vision deficiencies; Okabe and Ito 2008), and a
6.5 x 4 inch default size that fits a page's text width.

Artists a reader (or a test) may look for carry a ``gid``: ``"region"`` (regime map cells),
``"bar"``, ``"threshold"``, ``"equilibrium-path"`` (highlighted tree edges), ``"solution"``,
``"region"`` and ``"overlap"`` in the equilibrium region map, and in
the repeated-play chart ``"minmax"``, ``"equilibrium"`` and ``"target"``.
"""

from __future__ import annotations

import itertools
import re
from typing import Mapping, Sequence

import numpy as np

from analysis.sweep.paths import path_regimes  # noqa: F401  (charts.path_regimes: a tree's regimes by path)

#: Okabe-Ito colour-blind-safe palette (black last; used for marks, not series).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
#: Series colours: the palette with yellow last (it is faint on white paper) and black left for marks.
SERIES = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442")
#: Marker shapes by series, so series stay apart in greyscale print too.
MARKERS = "osD^vP*X"
PAGE_SIZE = (6.5, 4.0)
PAYOFF_UNITS = "payoff units"


def new_figure(size=PAGE_SIZE):
    """A Figure on its own Agg canvas (no pyplot, no global backend switch)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def colour(k: int) -> str:
    return SERIES[k % len(SERIES)]


def _short(label: str, width: int = 60) -> str:
    return label if len(label) <= width else label[: width - 1] + "\u2026"


def _points(df, method):
    from analysis.compare import point_table

    return point_table(df, method)


# ----- sweeps --------------------------------------------------------------------------------------
def wrap(text: str, width: int = 70) -> str:
    """``text`` broken into lines of at most ``width`` characters (never cut)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _axis(name: str, labels: Mapping[str, str] | None) -> str:
    return wrap(labels[name], 60) if labels and name in labels else name


def parameter_labels(scenario) -> dict[str, str]:
    """Axis label of each parameter of a scenario: its description and unit, with its name
    (``"US value of building the shield as planned (payoff units) [us_shield_value]"``); a
    parameter without a description is labelled by its name (and unit).

    Examples
    --------
    >>> from sim.scenario import loads_scenario
    >>> from analysis.compare import TOY_SCENARIO
    >>> parameter_labels(loads_scenario(TOY_SCENARIO))
    {'a': 'a'}
    """
    out = {}
    for p in scenario.parameters:
        unit = getattr(p, "unit", "")
        head = p.description or ""
        tail = f" ({unit})" if unit else ""
        out[p.name] = f"{head}{tail} [{p.name}]" if head else f"{p.name}{tail}"
    return out


def _slice(pts, fixed_out: Sequence[str]):
    """The points where every parameter in ``fixed_out`` sits at its grid value nearest its median,
    and the text stating that slice (``"slice: c = 0.5"``; empty when nothing is fixed)."""
    parts = []
    for c in fixed_out:
        vals = np.unique(pts[c].to_numpy(float))
        target = vals[np.argmin(np.abs(vals - np.median(vals)))]
        pts = pts[pts[c] == target]
        parts.append(f"{c[len('param.'):]} = {target:.4g}")
    return pts, ("slice: " + ", ".join(parts) + " (the other swept parameters at their middle grid value)"
                 if parts else "")


def regime_descriptions(df, method: str | None = None) -> dict[str, str]:
    """What happens in each regime, for a reader: a tree sweep's distinct paths of play (its
    ``path`` column), else the regime's outcomes; ``" | "`` between several equilibria."""
    if method is not None and "method" in df.columns:
        df = df[df["method"].astype(str) == method]
    if "path" not in df.columns:
        return {str(r): str(r) for r in df["regime"].astype(str).unique()}
    out = {}
    for r, group in df.groupby(df["regime"].astype(str), sort=False):
        paths = list(dict.fromkeys(group["path"].astype(str)))
        out[str(r)] = " | ".join(paths)
    return out


def _ties(regimes: Sequence[str]) -> dict[str, list[str]]:
    """Knife-edge regimes: one whose equilibria are exactly those of two or more other regimes
    present together (a tie at the crossing between them) -> those regimes."""
    sets = {r: set(r.split(" | ")) for r in regimes if r != "(none)"}
    out = {}
    for r, outs in sets.items():
        parts = [q for q, o in sets.items() if q != r and o < outs]
        if len(parts) >= 2 and set().union(*(sets[q] for q in parts)) == outs:
            out[r] = parts
    return out


def regime_map(df, x: str, y: str, *, method: str | None = None, names: Mapping[str, str] | None = None,
               title: str = "", labels: Mapping[str, str] | None = None):
    """Regime map over two swept parameters: one coloured region per regime, a legend naming
    each by what happens in it.

    ``names`` gives short names for regime labels (``analysis.compare.regime_key``); the legend
    lists regimes in the order of those names (R1, R2, ...), each with its equilibria (a tree
    sweep's paths of play, from its ``path`` column). ``labels`` maps parameter names to axis
    labels (:func:`parameter_labels`).

    With more than two swept parameters the map is the slice where the others sit at their
    middle grid value, and the chart says so under the title. A knife-edge regime (a tie: its
    equilibria are exactly those of the regimes on either side, as at a grid value on the
    boundary) is drawn as a line (``gid="tie"``) between its neighbours, not as a band.
    """
    pts = _points(df, method)
    cx, cy = f"param.{x}", f"param.{y}"
    for c in (cx, cy):
        if c not in pts.columns:
            from sim.errors import ScenarioError

            raise ScenarioError(f"regime_map(): the sweep has no parameter {c[6:]!r}; it has "
                                f"{[k[6:] for k in pts.columns if k.startswith('param.')]}")
    others = [c for c in pts.columns if c.startswith("param.") and c not in (cx, cy)]
    pts, slice_text = _slice(pts, others)
    pts = pts.drop_duplicates([cx, cy])
    xs, ys = np.unique(pts[cx].to_numpy(float)), np.unique(pts[cy].to_numpy(float))
    present = pts["regime"].value_counts().index.tolist()  # most frequent regime first
    if names:
        order = {r: int(n[1:]) if n[1:].isdigit() else k for k, (r, n) in enumerate(names.items())}
        present.sort(key=lambda r: order.get(r, len(order)))
    ties = _ties(present)
    regimes = [r for r in present if r not in ties]
    code = {r: k for k, r in enumerate(present)}
    grid = np.full((len(ys), len(xs)), np.nan)
    ix = np.searchsorted(xs, pts[cx].to_numpy(float))
    iy = np.searchsorted(ys, pts[cy].to_numpy(float))
    grid[iy, ix] = [code[r] for r in pts["regime"]]
    fig = new_figure((6.5, 4.5))
    ax = fig.add_subplot()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    # Twice the resolution, so that a tie cell can give each half to the regime on its side.
    ex, ey = _edges(xs), _edges(ys)
    fx = np.sort(np.concatenate([ex, xs]))
    fy = np.sort(np.concatenate([ey, ys]))
    fine = np.repeat(np.repeat(grid, 2, axis=0), 2, axis=1)
    tie_codes = {code[r] for r in ties}
    segments = []
    for (j, i), v in np.ndenumerate(grid):
        if np.isnan(v) or int(v) not in tie_codes:
            continue

        def at(jj, ii):
            ok = 0 <= jj < len(ys) and 0 <= ii < len(xs) and not np.isnan(grid[jj, ii])
            return int(grid[jj, ii]) if ok and int(grid[jj, ii]) not in tie_codes else None

        left, right, below, above = at(j, i - 1), at(j, i + 1), at(j - 1, i), at(j + 1, i)
        if left is not None or right is not None or (below is None and above is None):
            lo, hi = (left if left is not None else right), (right if right is not None else left)
            fine[2 * j:2 * j + 2, 2 * i] = np.nan if lo is None else lo
            fine[2 * j:2 * j + 2, 2 * i + 1] = np.nan if hi is None else hi
            segments.append(([xs[i], xs[i]], [ey[j], ey[j + 1]]))
        else:
            lo, hi = (below if below is not None else above), (above if above is not None else below)
            fine[2 * j, 2 * i:2 * i + 2] = lo
            fine[2 * j + 1, 2 * i:2 * i + 2] = hi
            segments.append(([ex[i], ex[i + 1]], [ys[j], ys[j]]))
    cmap = ListedColormap([colour(k) for k in range(len(present))])
    mesh = ax.pcolormesh(fx, fy, fine, cmap=cmap, vmin=-0.5, vmax=len(present) - 0.5, shading="flat")
    mesh.set_gid("region")
    for sx, sy in segments:
        (line,) = ax.plot(sx, sy, color=OKABE_ITO[-1], lw=1.6, solid_capstyle="butt")
        line.set_gid("tie")
    ax.set_xlim(ex[0], ex[-1])
    ax.set_ylim(ey[0], ey[-1])
    ax.set_xlabel(_axis(x, labels))
    ax.set_ylabel(_axis(y, labels))
    head = title or f"Equilibrium regimes over {x} and {y}"
    ax.set_title(wrap(head, 70) + (f"\n{wrap(slice_text, 90)}" if slice_text else ""), fontsize="small")
    what = regime_descriptions(df, method)

    def name(r):
        return names[r] if names and r in names else ""

    def label(r):
        text = what.get(r, r)
        return wrap(f"{name(r)}: {text}" if name(r) else text, 95)

    handles = [Patch(facecolor=colour(code[r]), label=label(r)) for r in regimes]
    if ties:
        from matplotlib.lines import Line2D

        for r, parts in ties.items():
            tied = [name(q) or _short(q, 30) for q in parts]
            both = ", ".join(tied[:-1]) + " and " + tied[-1]
            handles.append(Line2D([], [], color=OKABE_ITO[-1], lw=1.6,
                                  label=wrap(f"{name(r) + ': ' if name(r) else ''}knife edge: {both} tie", 95)))
    fig.legend(handles=handles, loc="outside lower center", fontsize="x-small", ncols=1, title="regime")
    n_lines = sum(h.get_label().count("\n") + 1 for h in handles)
    fig.set_size_inches(6.5, 4.5 + 0.17 * n_lines + (0.3 if slice_text else 0))
    return fig


def _edges(v: np.ndarray) -> np.ndarray:
    if len(v) == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def along_parameter(df, parameter: str, *, player: str | None = None, method: str | None = None,
                    thresholds: Sequence = (), title: str = "", labels: Mapping[str, str] | None = None):
    """Equilibrium payoffs and play along a parameter, one panel per player, so no player's marks
    hide another's.

    A simultaneous scenario's sweep gets, beside each player's payoff panel, its actions'
    probabilities; a tree's sweep (with a ``path`` column) gets one more panel below: the path of
    play at each value, by name. ``player`` draws one player only. When the sweep varies other
    parameters too, the line where they are closest to their median is drawn, and the chart says
    so. Regime changes on that line are marked by dashed vertical lines (``gid="threshold"``) at
    the bisected ``thresholds`` (from :func:`analysis.compare.find_thresholds`) when given, else
    midway between grid points whose regimes differ.
    """
    if method is not None:
        df = df[df["method"].astype(str) == method]
    col = f"param.{parameter}"
    others = [c for c in df.columns if c.startswith("param.") and c != col]
    # Paths in order of frequency over the whole sweep, so a path keeps its colour across charts.
    ranked = df["path"].astype(str).value_counts().index.tolist() if "path" in df.columns else []
    df, slice_text = _slice(df, others)
    at = {c[len("param."):]: float(df[c].iloc[0]) for c in others} if len(df) else {}
    df = df.sort_values([col, "eq_index"])
    players = [c[len("payoff."):] for c in df.columns if c.startswith("payoff.")]
    shown = [player] if player else players
    tree = "path" in df.columns
    paths = [q for q in ranked if q in set(df["path"].astype(str))] if tree else []
    rows = len(shown) + (1 if tree else 0)
    heights = [1.0] * len(shown) + ([0.35 + 0.3 * len(paths)] if tree else [])
    fig = new_figure((6.5, 1.3 + 1.5 * len(shown) + (0.45 * len(paths) + 0.3 if tree else 0)))
    axes = np.asarray(fig.subplots(rows, 1 if tree else 2, sharex=True, squeeze=False,
                                   gridspec_kw={"height_ratios": heights}))
    for k, p in enumerate(shown):
        left = axes[k, 0]
        left.plot(df[col], df[f"payoff.{p}"], MARKERS[0], ms=3.5, color=colour(players.index(p)), ls="none")
        left.set_ylabel(wrap(f"{p}'s payoff", 24), fontsize="small")
        if tree:
            continue
        right = axes[k, 1]
        actions = [c.split(".", 2)[2] for c in df.columns if c.startswith(f"prob.{p}.")]
        for a_k, a in enumerate(actions):
            right.plot(df[col], df[f"prob.{p}.{a}"], MARKERS[a_k % len(MARKERS)], ms=3.5, color=colour(a_k),
                       label=_short(a, 24), ls="none", alpha=0.85)
        right.set_ylim(-0.05, 1.05)
        right.set_ylabel(wrap(f"P({p}'s action)", 16), fontsize="small")
        right.legend(fontsize="xx-small", loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    if tree:
        ax = axes[-1, 0]
        for n, q in enumerate(paths):
            sub = df[df["path"].astype(str) == q]
            (line,) = ax.plot(sub[col], [n] * len(sub), "s", ms=5, color=colour(ranked.index(q)), ls="none")
            line.set_gid("path")
        ax.set_yticks(range(len(paths)), [wrap(q, 34) for q in paths], fontsize="xx-small")
        ax.set_ylim(-0.6, len(paths) - 0.4)
        ax.set_ylabel("path of play", fontsize="small")
    fig.supxlabel(_axis(parameter, labels), fontsize="small")
    if thresholds:
        xs = [t.value for t in thresholds if t.parameter == parameter
              and all(abs(t.at.get(o, v) - v) <= 1e-9 * max(1.0, abs(v)) for o, v in at.items())]
    else:
        first = df[df["eq_index"] <= 0]
        r = first["regime"].astype(str).to_numpy()
        x = first[col].to_numpy(float)
        xs = [(x[j] + x[j + 1]) / 2 for j in np.flatnonzero(r[1:] != r[:-1])]
    for v in sorted(set(round(v, 12) for v in xs)):
        for ax in axes.ravel():
            ax.axvline(v, color=OKABE_ITO[-1], ls="--", lw=0.8, gid="threshold")
    head = title or f"Equilibria along {parameter} (payoffs in {PAYOFF_UNITS})"
    fig.suptitle(wrap(head, 80) + (f"\n{wrap(slice_text, 100)}" if slice_text else ""), fontsize="small")
    return fig


def _distinct_labels(labels: Sequence[str], width: int = 48) -> tuple[list[str], str]:
    """Outcome labels for a chart's ticks: items (``", "``-separated) shared by every label are
    taken out and returned as a common text, the rest wrapped (never cut), so that labels stay
    apart."""
    parts = [lab.split(", ") for lab in labels]
    common = [item for item in parts[0] if all(item in p for p in parts)] if len(parts) > 1 else []
    rest = [", ".join(i for i in p if i not in common) or "(as above)" for p in parts]
    return [wrap(r, width) for r in rest], ", ".join(common)


def outcome_frequency_chart(freqs: Sequence[Mapping], *, title: str = "", max_outcomes: int = 12):
    """How often each outcome is an equilibrium, with its confidence interval as an error bar.

    Outcome names are shown whole (wrapped); what every outcome shares is said once, under the
    title.
    """
    rows = list(freqs)[:max_outcomes]
    ticks, common = _distinct_labels([r["outcome"] for r in rows]) if rows else ([], "")
    n_lines = sum(t.count("\n") + 1 for t in ticks)
    fig = new_figure((6.5, 1.6 + 0.2 * max(n_lines, 1) + 0.12 * max(len(rows), 1)))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    share = np.array([r["share"] for r in rows])
    err = np.clip(np.array([[r["share"] - r["low"] for r in rows], [r["high"] - r["share"] for r in rows]]), 0, None)
    bars = ax.barh(y, share, color=OKABE_ITO[4], xerr=err, ecolor=OKABE_ITO[-1], capsize=3)
    for b in bars:
        b.set_gid("bar")
    ax.set_yticks(y, ticks, fontsize="xx-small")
    ax.set_xlabel(wrap("share of points where the outcome is an equilibrium (95% Wilson interval)", 70))
    ax.set_xlim(0, 1)
    head = title or "Outcome frequencies"
    ax.set_title(head + (f"\n{wrap('every outcome: ' + common, 90)}" if common else ""), fontsize="small")
    return fig


def tornado_chart(sens: Sequence[Mapping], *, title: str = "", labels: Mapping[str, str] | None = None):
    """Tornado chart: per parameter, the share of its range below (left) and above (right) its
    default where moving it alone changes the baseline's regime; most influential on top.

    Examples
    --------
    >>> fig = tornado_chart([{"parameter": "cost", "flip_below": 0.1, "flip_above": 0.6},
    ...                      {"parameter": "fear", "flip_below": 0.2, "flip_above": 0.0}])
    >>> len(artists_with_gid(fig, "bar")), legend_labels(fig)
    (4, ['below the default', 'above the default'])
    """
    rows = list(sens)
    fig = new_figure((6.5, 1.4 + (0.45 if labels else 0.35) * max(len(rows), 1)))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    left = ax.barh(y, [-r["flip_below"] for r in rows], color=OKABE_ITO[4], label="below the default")
    right = ax.barh(y, [r["flip_above"] for r in rows], color=OKABE_ITO[5], label="above the default")
    for b in (*left, *right):
        b.set_gid("bar")
    ax.axvline(0, color=OKABE_ITO[-1], lw=0.8)
    ax.set_yticks(y, [wrap(labels[r["parameter"]], 45) if labels and r["parameter"] in labels else r["parameter"]
                      for r in rows], fontsize="xx-small" if labels else "small")
    ax.set_xlabel(wrap("share of the parameter's range where the baseline regime changes", 60))
    ax.set_xlim(-1, 1)
    ax.xaxis.set_major_formatter(_abs_formatter())
    ax.legend(fontsize="small", loc="lower right")
    ax.set_title(wrap(title or "Sensitivity of the baseline regime (one parameter at a time)", 70), fontsize="small")
    return fig


def sensitivity_chart(result, *, title: str = ""):
    """Global sensitivity (:mod:`analysis.sensitivity`): for Sobol indices, bars of ``S1`` and
    ``ST`` per parameter with their bootstrap intervals, most influential (``ST``) on top; for
    Morris effects, ``mu*`` against ``sigma`` with ``mu*``'s interval, one labelled point per
    parameter.

    Examples
    --------
    >>> from analysis.sensitivity import SobolIndices
    >>> r = SobolIndices(("a", "b"), np.array([0.6, 0.1]), np.array([0.05, 0.02]), np.array([0.8, 0.3]),
    ...                  np.array([0.05, 0.03]), 256)
    >>> fig = sensitivity_chart(r)
    >>> len(artists_with_gid(fig, "bar")), legend_labels(fig)
    (4, ['first order (S1)', 'total (ST)'])
    """
    from analysis.sensitivity import SobolIndices

    names = list(result.parameters)
    if isinstance(result, SobolIndices):
        order = sorted(range(len(names)), key=lambda k: -np.nan_to_num(result.ST[k]))
        fig = new_figure((6.5, 1.4 + 0.45 * max(len(names), 1)))
        ax = fig.add_subplot()
        y = np.arange(len(order))[::-1]
        h = 0.38
        bars = [ax.barh(y + h / 2, [result.S1[k] for k in order], h, xerr=[result.S1_conf[k] for k in order],
                        color=OKABE_ITO[4], label="first order (S1)", capsize=2),
                ax.barh(y - h / 2, [result.ST[k] for k in order], h, xerr=[result.ST_conf[k] for k in order],
                        color=OKABE_ITO[5], label="total (ST)", capsize=2)]
        for group in bars:
            for b in group:
                b.set_gid("bar")
        ax.set_yticks(y, [names[k] for k in order], fontsize="small")
        ax.axvline(0, color=OKABE_ITO[-1], lw=0.8)
        ax.set_xlabel(f"share of the indicator's variance ({result.conf_level:.0%} bootstrap intervals)")
        ax.legend(fontsize="small", loc="lower right")
        ax.set_title(title or f"Sobol indices ({result.n_base} base points)")
        return fig
    fig = new_figure()
    ax = fig.add_subplot()
    at: dict = {}  # parameters at the same point share one label (inert ones all sit at the origin)
    for k, name in enumerate(names):
        bars = ax.errorbar(result.mu_star[k], result.sigma[k], xerr=result.mu_star_conf[k],
                           fmt=MARKERS[k % len(MARKERS)], color=colour(k), capsize=2)
        bars[0].set_gid("effect")  # the marker (the interval's lines are the container's other artists)
        at.setdefault((round(float(result.mu_star[k]), 9), round(float(result.sigma[k]), 9)), []).append(name)
    for (x, y), group in at.items():
        ax.annotate("\n".join(group), (x, y), xytext=(4, 4), textcoords="offset points", fontsize="small",
                    va="bottom")
    ax.set_xlabel(f"mu* (mean absolute elementary effect; {result.conf_level:.0%} bootstrap interval)")
    ax.set_ylabel("sigma (spread of the effects)")
    right = float(np.nanmax(np.asarray(result.mu_star) + np.asarray(result.mu_star_conf), initial=0.0))
    top = float(np.nanmax(result.sigma, initial=0.0))
    ax.set_xlim(0, right * 1.1 if right > 0 else 1.0)
    ax.set_ylim(0, top * 1.2 if top > 0 else 1.0)  # room for the labels above the highest points
    ax.set_title(title or f"Morris elementary effects ({result.trajectories} trajectories, {result.levels} levels)")
    return fig


def calibration_chart(values: Mapping[str, tuple], *, title: str = "", bins: int = 20, columns: int = 3):
    """Calibration (:mod:`analysis.calibration`): per parameter, the histogram of its values over
    all the sweep's points and over the points consistent with the observations, as densities on
    the same bins (so a shift in shape shows whatever the share kept).

    ``values`` maps each parameter to ``(all values, kept values)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.random(500)
    >>> fig = calibration_chart({"a": (x, x[x > 0.6]), "b": (x, x[:100])})
    >>> len(fig.axes), legend_labels(fig)
    (2, ['all points', 'consistent with the observations'])
    """
    names = list(values)
    cols = max(1, min(columns, len(names)))
    rows = -(-len(names) // cols) if names else 1
    fig = new_figure((6.5, 0.4 + 1.9 * rows))
    for k, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, k + 1)
        before, after = (np.asarray(v, dtype=float) for v in values[name])
        lo, hi = (float(before.min()), float(before.max())) if len(before) else (0.0, 1.0)
        edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
        ax.hist(before, edges, density=True, color=OKABE_ITO[1], alpha=0.6, label="all points", gid="before")
        if len(after):
            ax.hist(after, edges, density=True, histtype="step", color=OKABE_ITO[5], lw=1.6,
                    label="consistent with the observations", gid="after")
        ax.set_xlabel(name, fontsize="small")
        ax.tick_params(labelsize="x-small")
        ax.set_yticks([])
        if k == 0:
            fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize="small")
    fig.suptitle(title or "Parameters before and after the observations (densities)", fontsize="medium")
    return fig


def _abs_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{abs(v):g}")


# ----- settings ------------------------------------------------------------------------------------
def discovery_tradeoff_chart(coverage, density, restricted, *, chosen: int | None = None,
                             threshold: float | None = None, title: str = ""):
    """PRIM's peeling trajectory as the coverage-density trade-off, each box coloured by its number of
    restricted parameters; the chosen box ringed (gid ``"chosen"``), the density threshold dashed
    (gid ``"threshold"``). Each box's point has gid ``"box"``.

    Examples
    --------
    >>> fig = discovery_tradeoff_chart([1.0, 0.9, 0.7], [0.5, 0.7, 0.9], [0, 1, 2], chosen=2, threshold=0.8)
    >>> len(artists_with_gid(fig, "box")), len(artists_with_gid(fig, "chosen")), legend_labels(fig)
    (1, 1, ['0 restricted', '1 restricted', '2 restricted', 'chosen box', 'threshold'])
    """
    cov, den = np.asarray(coverage, dtype=float), np.asarray(density, dtype=float)
    res = np.asarray(restricted, dtype=int)
    fig = new_figure()
    ax = fig.add_subplot()
    ax.plot(cov, den, color="#BBBBBB", lw=0.8, zorder=1)
    colours = [OKABE_ITO[4 + k] if 4 + k < 7 else colour(k) for k in range(int(res.max(initial=0)) + 1)]
    pts = ax.scatter(cov, den, c=[colours[r] for r in res], s=22, zorder=2, edgecolors="none")
    pts.set_gid("box")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", ls="", color=colours[r], label=f"{r} restricted") for r in np.unique(res)]
    if chosen is not None:
        ring = ax.scatter([cov[chosen]], [den[chosen]], s=140, facecolors="none", edgecolors=OKABE_ITO[-1],
                          linewidths=1.5, zorder=3)
        ring.set_gid("chosen")
        ax.annotate(f"#{chosen}", (cov[chosen], den[chosen]), xytext=(6, -12), textcoords="offset points",
                    fontsize="small")
        handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="none", markeredgecolor=OKABE_ITO[-1],
                              label="chosen box"))
    if threshold is not None:
        line = ax.axhline(threshold, color=OKABE_ITO[-1], ls="--", lw=0.8, label="threshold")
        line.set_gid("threshold")
        handles.append(line)
    ax.set_xlabel("coverage (share of the points where the condition holds that the box holds)")
    ax.set_ylabel("density (share of the box's points\nwhere the condition holds)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(handles=handles, fontsize="small", loc="lower left")
    ax.set_title(title or "PRIM: coverage against density along the peeling trajectory")
    return fig


def discovery_box_chart(limits: Mapping[str, Sequence[float]], full: Mapping[str, Sequence[float]], *,
                        quasi_p: Mapping[str, Sequence] | None = None, title: str = ""):
    """A discovered box: each restricted parameter's range (bar, gid ``"box"``) drawn against its
    full range normalised to [0, 1] (grey), with the limits' values and quasi-p-values written on.

    Examples
    --------
    >>> fig = discovery_box_chart({"a": (0.5, 1.0)}, {"a": (0.0, 1.0), "b": (0.0, 2.0)}, quasi_p={"a": (1e-9, None)})
    >>> len(artists_with_gid(fig, "box")), [t.get_text() for t in fig.axes[0].get_yticklabels()]
    (1, ['a'])
    """
    names = [n for n in full if n in limits]
    fig = new_figure((6.5, 1.3 + 0.45 * max(len(names), 1)))
    ax = fig.add_subplot()
    y = np.arange(len(names))[::-1]
    ax.barh(y, [1.0] * len(names), color="#DDDDDD", height=0.6)
    for k, name in zip(y, names):
        lo, hi = (float(v) for v in limits[name])
        flo, fhi = (float(v) for v in full[name])
        span = (fhi - flo) or 1.0
        a, b = (lo - flo) / span, (hi - flo) / span
        bar = ax.barh([k], [b - a], left=[a], color=OKABE_ITO[4], height=0.6)
        bar.patches[0].set_gid("box")
        ax.text(a, k + 0.36, f"{lo:.3g}", ha="center", va="bottom", fontsize="x-small")
        ax.text(b, k + 0.36, f"{hi:.3g}", ha="center", va="bottom", fontsize="x-small")
        qp = (quasi_p or {}).get(name)
        if qp is not None:
            text = ", ".join("-" if v is None else f"{v:.1g}" for v in qp)
            ax.text(1.03, k, f"qp {text}", va="center", fontsize="x-small")
    ax.set_yticks(y, names, fontsize="small")
    ax.set_xlim(-0.02, 1.3)
    ax.set_ylim(-0.7, len(names) - 0.2)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_xlabel("position in the full range (0: minimum, 1: maximum)")
    ax.set_title(title or "Discovered box (restricted parameters)")
    return fig


def payoff_bars(settings: Sequence, *, max_equilibria: int = 3, title: str = ""):
    """Equilibrium payoffs across settings: one group per (setting, equilibrium), one bar per player.

    ``settings`` are :class:`analysis.compare.Setting`; players are matched by name across them
    (a player absent from a setting has no bar there). At most ``max_equilibria`` per setting.

    Examples
    --------
    >>> from analysis.compare import Setting
    >>> from sim.game import NormalFormGame
    >>> from sim.solvers import solve
    >>> g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]], players=("A", "B"))
    >>> fig = payoff_bars([Setting("coordination", solve(g, "enumpure"))])
    >>> len(artists_with_gid(fig, "bar")), legend_labels(fig)
    (4, ['A', 'B'])
    """
    from analysis.render import outcome_label

    players: list[str] = []
    for s in settings:
        players += [p for p in s.result.game.players if p not in players]
    groups = []
    for s in settings:
        g = s.result.game
        for k, eq in enumerate(s.result.equilibria[:max_equilibria]):
            groups.append((f"{s.label} #{k + 1}", {p: float(eq.payoffs[i]) for i, p in enumerate(g.players)},
                           outcome_label(g, eq)))
    fig = new_figure((6.5, 4.0))
    ax = fig.add_subplot()
    width = 0.8 / max(len(players), 1)
    for j, p in enumerate(players):
        xs = [n + (j - (len(players) - 1) / 2) * width for n, (_, pay, _) in enumerate(groups) if p in pay]
        hs = [pay[p] for _, pay, _ in groups if p in pay]
        bars = ax.bar(xs, hs, width, color=colour(j), label=p)
        for b in bars:
            b.set_gid("bar")
    ax.axhline(0, color=OKABE_ITO[-1], lw=0.6)
    ax.set_xticks(range(len(groups)), [g[0] for g in groups], fontsize="x-small", rotation=30, ha="right")
    ax.set_ylabel(f"equilibrium payoff ({PAYOFF_UNITS})")
    ax.set_xlabel("setting and equilibrium")
    ax.legend(fontsize="small", title="player", loc="best")
    ax.set_title(title or "Equilibrium payoffs across settings")
    return fig


def frontier_chart(frontier, disagreement, solutions: Mapping[str, Sequence[float]], *,
                   players: Sequence[str] = ("player 1", "player 2"), title: str = ""):
    """The bargaining frontier (a curve of utility pairs), the disagreement point and each solution.

    ``frontier`` is ``(K, 2)`` utility pairs in order along the frontier; ``solutions`` maps a
    solution's name (``"Nash"``, ``"Kalai-Smorodinsky"``, ...) to its utility pair.

    Examples
    --------
    >>> fig = frontier_chart([[0, 2], [2, 0]], (0, 0), {"Nash": (1, 1)}, players=("NATO", "Russia"))
    >>> fig.axes[0].get_xlabel(), legend_labels(fig)
    ("NATO's utility (payoff units)", ['Pareto frontier', 'disagreement point', 'Nash'])
    """
    frontier = np.asarray(frontier, dtype=float)
    fig = new_figure((5.5, 5.0))
    ax = fig.add_subplot()
    ax.plot(frontier[:, 0], frontier[:, 1], color="#555555", lw=1.5, label="Pareto frontier")
    ax.plot(*disagreement, "s", color=OKABE_ITO[-1], ms=7, label="disagreement point")
    markers = "o^Dvp*"
    for k, (name, point) in enumerate(solutions.items()):
        (line,) = ax.plot(*point, markers[k % len(markers)], color=colour(k), ms=8,
                          label=name, ls="none")
        line.set_gid("solution")
    ax.set_xlabel(f"{players[0]}'s utility ({PAYOFF_UNITS})")
    ax.set_ylabel(f"{players[1]}'s utility ({PAYOFF_UNITS})")
    ax.legend(fontsize="small")
    ax.set_title(title or "Bargaining frontier and solutions")
    return fig


def tree_chart(game, behaviour: Mapping[str, Sequence[float]] | None = None, *, title: str = ""):
    """The game tree, play left to right; edges played with positive probability under
    ``behaviour`` (infoset -> action probabilities) at nodes reached in play are drawn thick
    (``gid="equilibrium-path"``); chance branches of a reached chance node count as reached.

    Leaves are labelled with their payoff vectors; decision nodes with the mover's name.

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "e", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "i", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> fig = tree_chart(g, {"e": [0, 1], "i": [0, 1]})
    >>> len(artists_with_gid(fig, "equilibrium-path"))
    2
    """
    from sim.extensive.tree import Chance, Decision, Terminal

    positions: dict[int, tuple[float, float]] = {}
    edges = []  # (parent id, child id, label, on path)
    leaves = [0]

    def layout(node, depth, reached):
        if isinstance(node, Terminal):
            y = -leaves[0]
            leaves[0] += 1
            positions[id(node)] = (depth, y)
            return y
        names = node.actions if isinstance(node, Decision) else node.outcomes
        probs = (behaviour or {}).get(node.infoset) if isinstance(node, Decision) else node.probs
        ys = []
        for k, (name, child) in enumerate(zip(names, node.children)):
            on = bool(reached and probs is not None and probs[k] > 1e-9)
            ys.append(layout(child, depth + 1, on))
            edges.append((id(node), id(child), name, on))
        y = float(np.mean(ys))
        positions[id(node)] = (depth, y)
        return y

    layout(game.root, 0, behaviour is not None)
    nodes = {}
    from sim.extensive.tree import iter_nodes

    for _, n in iter_nodes(game.root):
        nodes[id(n)] = n
    depth = max(x for x, _ in positions.values())
    fig = new_figure((6.5, max(3.0, 0.32 * leaves[0] + 1)))
    ax = fig.add_subplot()
    for a, b, name, on in edges:
        (x0, y0), (x1, y1) = positions[a], positions[b]
        (line,) = ax.plot([x0, x1], [y0, y1], color=OKABE_ITO[5] if on else "#999999", lw=2.6 if on else 0.8)
        if on:
            line.set_gid("equilibrium-path")
        ax.text((x0 + x1) / 2, (y0 + y1) / 2, name, fontsize=6, ha="center", va="bottom")
    for key, (x, y) in positions.items():
        n = nodes[key]
        if isinstance(n, Terminal):
            ax.text(x + 0.05, y, "(" + ", ".join(f"{v:.3g}" for v in n.payoffs) + ")", fontsize=6, va="center")
        elif isinstance(n, Chance):
            ax.plot(x, y, "o", color="white", mec=OKABE_ITO[-1], ms=6)
            ax.text(x, y + 0.25, "chance", fontsize=6, ha="center")
        else:
            ax.plot(x, y, "o", color=colour(n.player), ms=6)
            ax.text(x, y + 0.25, game.players[n.player], fontsize=6, ha="center")
    ax.set_xlim(-0.3, depth + 1.2)
    ax.set_axis_off()
    ax.set_title(title or (game.title or "Game tree") + (" (equilibrium path thick)" if behaviour else ""),
                 fontsize="small")
    ax.text(0, -leaves[0] - 0.2, "payoffs in player order: " + ", ".join(game.players), fontsize=6)
    return fig


def qre_branch_chart(result, *, title: str = ""):
    """The logit QRE principal branch: each action's probability against lambda (log scale).

    ``result`` is a ``logit`` :class:`~sim.result.SolverResult`, whose ``details`` hold the traced
    ``lambdas`` and ``profiles``.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> from sim.solvers import solve
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], players=("Row", "Col"),
    ...                                   actions=(("C", "D"), ("C", "D")))
    >>> legend_labels(qre_branch_chart(solve(pd, "logit")))
    ['Row: C', 'Row: D', 'Col: C', 'Col: D']
    """
    lambdas = np.asarray(result.details["lambdas"], dtype=float)
    profiles = result.details["profiles"]
    game = result.game
    fig = new_figure((6.5, 4.0))
    ax = fig.add_subplot()
    styles = ["-", "--", ":", "-."]
    k = 0
    for i, p in enumerate(game.players):
        for a, name in enumerate(game.actions[i]):
            ax.plot(lambdas, np.asarray(profiles[i])[:, a], styles[i % len(styles)], color=colour(k),
                    label=f"{p}: {name}")
            k += 1
    ax.set_xscale("symlog", linthresh=max(1e-3, float(lambdas[lambdas > 0].min()) if (lambdas > 0).any() else 1))
    ax.set_xlabel(f"logit precision lambda (1 / {PAYOFF_UNITS})")
    ax.set_ylabel("probability of the action")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize="x-small", ncols=2)
    ax.set_title(title or "Logit quantal response equilibrium: principal branch")
    return fig


# ----- repeated play ----------------------------------------------------------------------------------
def feasible_ir_chart(analysis, *, players: Sequence = (0, 1), title: str = ""):
    """The feasible and individually rational payoffs of a repeated game (the folk theorem's set).

    ``analysis`` is a :class:`sim.repeated.RepeatedAnalysis`. Drawn: the feasible set (the convex
    hull of the pure payoff vectors, outlined), the individually rational part shaded (``gid``
    ``"region"``), the minmax point (``"minmax"``), the stage Nash equilibria's payoffs
    (``"equilibrium"``) and each target profile, annotated with its grim-trigger and minmax
    thresholds (``"target"``). With more than two players, ``players`` (two names or indices)
    picks the pair of axes: the chart is the projection onto their payoffs, and the shading keeps
    only those two players' minmax floors (the others' are not drawn).

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> from sim.repeated import repeated_analysis
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], players=("Row", "Column"))
    >>> fig = feasible_ir_chart(repeated_analysis(pd, 0.6))
    >>> fig.axes[0].get_xlabel(), len(artists_with_gid(fig, "target"))
    ("Row's payoff (payoff units)", 1)
    """
    from matplotlib.patches import Polygon

    from sim.repeated import ir_polygon

    g = analysis.game
    if g.n_players < 2:
        raise ValueError(f"feasible_ir_chart(): needs at least two players; got {g.n_players}")
    try:
        i, j = (g.player_index(p) for p in players)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"feasible_ir_chart(): players must be two of {list(g.players)}; got {list(players)}: {exc}") \
            from None
    if i == j or len(tuple(players)) != 2:
        raise ValueError(f"feasible_ir_chart(): players must be two different players; got {list(players)}")
    pts = np.asarray(analysis.feasible.points)[:, [i, j]]
    floor = np.asarray(analysis.minmax.values)[[i, j]]
    hull = ir_polygon(pts, pts.min(axis=0) - 1.0)  # a floor below every point: the whole hull
    ir = analysis.feasible.polygon if g.n_players == 2 and (i, j) == (0, 1) else ir_polygon(pts, floor)
    fig = new_figure((5.5, 5.0))
    ax = fig.add_subplot()
    if len(hull) >= 3:
        ax.add_patch(Polygon(hull, closed=True, fill=False, ec="#555555", lw=1.2, label="feasible payoffs"))
    else:
        ax.plot(hull[:, 0], hull[:, 1], color="#555555", lw=1.2, label="feasible payoffs")
    if len(ir) >= 3:
        patch = Polygon(ir, closed=True, fc=SERIES[1], alpha=0.35, ec="none",
                        label="individually rational" + (" (these two players)" if g.n_players > 2 else ""))
        ax.add_patch(patch)
        patch.set_gid("region")
    elif len(ir):
        (line,) = ax.plot(ir[:, 0], ir[:, 1], color=SERIES[1], lw=4, alpha=0.6, label="individually rational")
        line.set_gid("region")
    kind = {"mixed": "mixed", "pure": "pure", "correlated": "correlated bound"}[analysis.minmax.kind]
    # Hollow and on top: the minmax point often coincides with a stage equilibrium's payoffs.
    (mm,) = ax.plot(*floor, "s", color=OKABE_ITO[-1], mfc="none", mew=1.5, ms=11, zorder=5,
                    label=f"minmax point ({kind})", ls="none")
    mm.set_gid("minmax")
    ax.axvline(floor[0], color="#999999", lw=0.8, ls=":")
    ax.axhline(floor[1], color="#999999", lw=0.8, ls=":")
    for k, e in enumerate(analysis.stage_equilibria):
        (line,) = ax.plot(e.payoffs[i], e.payoffs[j], "o", color=SERIES[4], ms=8, ls="none",
                          label="stage Nash equilibrium" if k == 0 else None)
        line.set_gid("equilibrium")

    def thr(s):
        return "-" if s is None else ("never" if not s.sustainable else f"{s.threshold:.3g}")

    for k, t in enumerate(analysis.targets):
        u = g.payoffs[t.target][[i, j]]
        (line,) = ax.plot(*u, "D", color=SERIES[0], ms=8, ls="none", label="target profile" if k == 0 else None)
        line.set_gid("target")
        name = ",".join(g.actions[q][a] for q, a in enumerate(t.target))
        ax.annotate(f"({_short(name, 30)})\ngrim \u03b4\u2265{thr(t.grim)}, minmax \u03b4\u2265{thr(t.minmax)}",
                    u, xytext=(6, 6), textcoords="offset points", fontsize="x-small")
    lo = np.minimum(pts.min(axis=0), floor)
    hi = np.maximum(pts.max(axis=0), floor)
    pad = 0.08 * np.maximum(hi - lo, 1e-9)
    ax.set_xlim(lo[0] - pad[0], hi[0] + 3 * pad[0])
    ax.set_ylim(lo[1] - pad[1], hi[1] + 2 * pad[1])
    ax.set_xlabel(f"{g.players[i]}'s payoff ({PAYOFF_UNITS})")
    ax.set_ylabel(f"{g.players[j]}'s payoff ({PAYOFF_UNITS})")
    ax.legend(fontsize="small", loc="lower left")
    ax.set_title(title or f"Feasible and individually rational payoffs (\u03b4 = {analysis.discount:.3g})")
    return fig


# ----- equilibrium regions -------------------------------------------------------------------------
def region_map(result, x: str, y: str, *, at: Mapping[str, float] | None = None, title: str = ""):
    """A 2-D map of a :class:`sim.regions.RegionsResult`: each region drawn from its inequalities.

    The plane is ``x`` by ``y`` over their bounds; every other varied parameter is held at ``at``
    (required for each), and the slice (those values and the result's fixed parameters) is stated
    under the title. A region is the box clipped
    against each of its lines (Sutherland-Hodgman, :func:`sim.geometry.clip_linear`), so boundaries
    are sharp (``gid="region"``); where two regions overlap (several equilibria) the overlap is
    hatched (``gid="overlap"``). Regions with the same label (a tree's strategy profiles sharing a
    path) share a colour and one legend entry. A region whose inequalities multiply ``x`` and ``y``
    is drawn on a 300 x 300 grid instead, and the subtitle says so.

    Examples
    --------
    >>> from sim.scenario.load import loads_scenario
    >>> from sim.scenario.compile import compile_scenario
    >>> from sim.regions import equilibrium_regions
    >>> c = compile_scenario(loads_scenario('''
    ... [scenario]
    ... id = "two"
    ... title = "Two thresholds"
    ... timing = "simultaneous"
    ... [parameters]
    ... a = { default = 1, min = 0, max = 2 }
    ... b = { default = 1, min = 0, max = 2 }
    ... [players.A]
    ... actions = ["x", "y"]
    ... [[goals]]
    ... player = "A"
    ... name = "g"
    ... weight = 1
    ... rules = [{ when = { A = "x" }, value = "a" }, { when = { A = "y" }, value = "b" }]
    ... '''))
    >>> fig = region_map(equilibrium_regions(c), "a", "b")
    >>> legend_labels(fig), len(artists_with_gid(fig, "region"))
    (['50% of the plane: A=x', '50% of the plane: A=y'], 2)
    """

    from matplotlib.patches import Patch, Polygon

    from sim.errors import ScenarioError
    from sim.geometry import clip_linear, polygon_area

    names = list(result.parameters)
    for n in (x, y):
        if n not in names:
            raise ScenarioError(f"region_map(): {n!r} is not a varied parameter; varied: {names}")
    if x == y:
        raise ScenarioError(f"region_map(): x and y must differ (got {x!r} twice)")
    at = dict(at or {})
    others = [n for n in names if n not in (x, y)]
    missing = [n for n in others if n not in at]
    if missing:
        raise ScenarioError(f"region_map(): give the slice value of every other varied parameter (missing {missing})")
    ix, iy = names.index(x), names.index(y)
    lo = np.array([result.lower[ix], result.lower[iy]])
    hi = np.array([result.upper[ix], result.upper[iy]])
    value = {n: float(at[n]) for n in others}

    def plane(row) -> tuple[np.ndarray, float, float]:
        """The row over (1, x, y) at the slice, and its x*y coefficient (0 when linear in the plane)."""
        c = np.zeros(3)
        cxy = 0.0
        for f, g in zip(result.features, row):
            parts = [] if f == "1" else f.split("*")
            k, free = 1.0, []
            for q in parts:
                if q in value:
                    k *= value[q]
                else:
                    free.append(q)
            if not free:
                c[0] += g * k
            elif free == [x]:
                c[1] += g * k
            elif free == [y]:
                c[2] += g * k
            else:
                cxy += abs(g * k)
        return c, cxy

    box = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
    area = float((hi[0] - lo[0]) * (hi[1] - lo[1]))
    fig = new_figure((6.5, 5.0))
    ax = fig.add_subplot()
    labels = list(dict.fromkeys(r.label for r in result.regions))
    colours = {lab: colour(k) for k, lab in enumerate(labels)}
    shapes, share, gridded = [], dict.fromkeys(labels, 0.0), False
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300))
    for r in result.regions:
        rows = [plane(g) for g in np.asarray(r.rows)]
        if any(cxy for _, cxy in rows):
            gridded = True
            mask = np.ones(gx.shape, dtype=bool)
            for g in np.asarray(r.rows):
                mask &= _row_on_grid(result, g, value, x, y, gx, gy) >= 0
            shapes.append(("grid", mask))
            if mask.any():
                cs = ax.contourf(gx, gy, mask.astype(float), levels=[0.5, 1.5], colors=[colours[r.label]], alpha=0.55)
                cs.set_gid("region")
            share[r.label] += float(mask.mean())
            continue
        poly = box
        for c, _ in rows:
            if np.any(c[1:]):
                poly = clip_linear(poly, c[1:], c[0])
            elif c[0] < 0:
                poly = poly[:0]
            if len(poly) == 0:
                break
        shapes.append(("poly", poly))
        if len(poly) >= 3 and polygon_area(poly) > 0:
            patch = Polygon(poly, closed=True, facecolor=colours[r.label], edgecolor="black", lw=0.6, alpha=0.55)
            patch.set_gid("region")
            ax.add_patch(patch)
            share[r.label] += polygon_area(poly) / area
    def as_mask(kind, shape):
        if kind == "grid":
            return shape
        if len(shape) < 3:
            return np.zeros(gx.shape, dtype=bool)
        from matplotlib.path import Path

        return Path(shape).contains_points(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)

    for a, b in itertools.combinations(range(len(shapes)), 2):
        (ka, sa), (kb, sb) = shapes[a], shapes[b]
        if ka == "poly" and kb == "poly":
            poly = sa
            for c, _ in (plane(g) for g in np.asarray(result.regions[b].rows)):
                if len(poly) == 0:
                    break
                poly = clip_linear(poly, c[1:], c[0]) if np.any(c[1:]) else (poly if c[0] >= 0 else poly[:0])
            if len(poly) >= 3 and polygon_area(poly) > 1e-9 * area:
                patch = Polygon(poly, closed=True, fill=False, hatch="//", edgecolor="0.3", lw=0.0)
                patch.set_gid("overlap")
                ax.add_patch(patch)
        else:
            both = as_mask(ka, sa) & as_mask(kb, sb)
            if both.any():
                cs = ax.contourf(gx, gy, both.astype(float), levels=[0.5, 1.5], colors="none", hatches=["//"])
                cs.set_gid("overlap")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    held = {**value, **{n: v for n, v in result.fixed.items()}}
    sub = "slice: " + ", ".join(f"{n} = {v:g}" for n, v in held.items()) if held else "no other parameter"
    if gridded:
        sub += "; regions multiplying the two axes drawn on a 300 x 300 grid"
    head = title or f"{result.scenario}: equilibrium regions over {x} and {y}"
    ax.set_title(wrap(head, 85) + "\n" + wrap(sub, 90), fontsize="small")
    handles = [Patch(facecolor=colours[lab], edgecolor="black", alpha=0.55,
                     label=f"{share[lab]:.0%} of the plane: {_short(lab, 90)}")
               for lab in labels if share[lab] > 0]
    if artists_with_gid(fig, "overlap"):
        handles.append(Patch(facecolor="white", edgecolor="0.3", hatch="//", label="several equilibria (overlap)"))
    fig.legend(handles=handles, loc="outside lower center", fontsize="x-small", ncols=1, title="equilibrium")
    fig.set_size_inches(6.5, 5.0 + 0.2 * len(handles))
    return fig


def _row_on_grid(result, row, value, x, y, gx, gy) -> np.ndarray:
    """A row's value over a grid of the plane, other parameters at their slice values."""
    out = np.zeros_like(gx)
    for f, g in zip(result.features, row):
        term = np.full_like(gx, float(g))
        for q in ([] if f == "1" else f.split("*")):
            term = term * (gx if q == x else gy if q == y else value[q])
        out += term
    return out


def legend_labels(fig) -> list[str]:
    """Every legend entry's text in a figure (axes and figure legends), for readers and tests."""
    out = []
    for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]:
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return out


def artists_with_gid(fig, gid: str) -> list:
    """All artists of a figure whose ``gid`` is ``gid``."""
    return [a for a in fig.findobj(lambda a: a.get_gid() == gid)]


def figure_svg(fig) -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, no external references)."""
    import io

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # The RDF metadata block names licence and format vocabularies by URL; a self-contained
    # report carries none, so it goes (the drawing does not use it).
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text, count=1, flags=re.S)


# ----- robust levers -------------------------------------------------------------------------------
def lever_chart(report, *, title: str = ""):
    """A lever's trade-off (:func:`analysis.levers.lever_report`): above, the share of worlds where
    the outcome holds at each lever value, with its 95% band; below, the player's mean payoff and
    its 10th percentile across worlds. The most robust value and the scenario's own value are
    marked on both panels (``gid`` ``"robust"`` and ``"default"``)."""
    fig = new_figure((6.5, 5.0))
    top, bottom = fig.subplots(2, 1, sharex=True)
    v = np.array([r.value for r in report.values])
    share = np.array([r.share for r in report.values])
    lo = np.array([r.interval[0] for r in report.values])
    hi = np.array([r.interval[1] for r in report.values])
    top.fill_between(v, 100 * lo, 100 * hi, color=SERIES[1], alpha=0.3, linewidth=0, label="95% interval")
    top.plot(v, 100 * share, color=SERIES[3], marker="o", markersize=3, label="outcome holds")
    top.set_ylabel("worlds where it holds (%)")
    top.set_ylim(-2, 102)
    mean = np.array([r.mean_payoff for r in report.values])
    low = np.array([r.low_payoff for r in report.values])
    bottom.plot(v, mean, color=SERIES[0], marker="s", markersize=3, label=f"{report.player}: mean")
    bottom.plot(v, low, color=SERIES[4], linestyle="--", label=f"{report.player}: 10th percentile")
    bottom.set_ylabel(f"{report.player}'s payoff ({PAYOFF_UNITS})")
    bottom.set_xlabel(report.lever)
    for ax in (top, bottom):
        ax.axvline(report.robust.value, color=OKABE_ITO[7], linewidth=1.2, gid="robust")
        ax.axvline(report.default, color=OKABE_ITO[7], linewidth=0.8, linestyle=":", gid="default")
        ax.grid(alpha=0.3)
    top.plot([], [], color=OKABE_ITO[7], linewidth=1.2, label=f"most robust: {report.robust.value:g}")
    top.plot([], [], color=OKABE_ITO[7], linewidth=0.8, linestyle=":", label=f"scenario's value: {report.default:g}")
    top.legend(fontsize="small", loc="best")
    bottom.legend(fontsize="small", loc="best")
    fig.suptitle(title or _short(f"{report.scenario}: {report.outcome}", 80), fontsize="medium")
    return fig
