"""Key findings in sentences: what the analyses of a report found, with their figures.

Each function turns one analysis into one or two sentences a reader can quote without the tables:
which equilibrium holds at a scenario's defaults and how it is played (:func:`scenario_finding`),
whether bargaining has a zone of agreement and where the Nash bargaining solution puts it
(:func:`bargaining_finding`), and for a sweep which regime holds where, where it changes, what
changes it most and how often the commonest outcome is an equilibrium (:func:`sweep_finding`,
from :func:`analysis.compare.sweep_summary`'s document). A claim's sentence is
:func:`analysis.hypotheses.verdict_sentence`. The sections (:mod:`analysis.report.sections`)
gather them at the top of the report under "Key findings".
"""

from __future__ import annotations

from typing import Sequence

#: How each method's equilibria are named in a sentence.
KINDS = {"spe": "subgame-perfect", "pbe": "perfect Bayesian", "pbe_mixed": "perfect Bayesian",
         "pbe_agent": "perfect Bayesian",
         "enumpure": "pure Nash", "enummixed": "Nash", "lcp": "Nash", "lp": "Nash", "logit": "logit QRE limit"}
#: At most this many equilibria, regimes or outcomes are spelled out in one sentence.
SPELLED_OUT = 3


def _and(items: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``.

    Examples
    --------
    >>> _and(["a"]), _and(["a", "b"]), _and(["a", "b", "c"])
    ('a', 'a and b', 'a, b and c')
    """
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _pct(x: float) -> str:
    """A share as a reader reads it: whole per cent, with "under 1%" and "over 99%" at the ends.

    Examples
    --------
    >>> _pct(0.25), _pct(0.004), _pct(0.9996), _pct(0.0), _pct(1.0)
    ('25%', 'under 1%', 'over 99%', '0%', '100%')
    """
    if 0 < x < 0.005:
        return "under 1%"
    if 0.995 < x < 1:
        return "over 99%"
    return f"{x:.0%}"


def play_text(game, eq, method: str, tree=None) -> str:
    """How an equilibrium is played: a tree's play, each move by player and action
    (:func:`sim.extensive.names.play_text`; ``tree`` reads an equilibrium of its reduced normal
    form on the tree), else each player's action or mix."""
    from analysis.render import strategy_text, tree_play
    from sim.extensive.names import play_text as named_play

    tree = tree if tree is not None else (game if getattr(game, "infosets", None) is not None else None)
    if tree is not None:
        return "play runs " + named_play(tree, tree_play(tree, eq)[0], digits=2)
    return _and([f"{p} plays {strategy_text(game.actions[i], eq.profile[i], digits=2)}"
                 for i, p in enumerate(game.players)])


def scenario_finding(src) -> str:
    """Which equilibrium holds at a scenario's defaults, how it is played and what each player
    gets (the first method's equilibria; a list of several says the model does not pick one)."""
    s = src.scenario
    if not src.results:
        return f"{s.title} ({s.id}): no method could be run at the defaults."
    r = src.results[0]
    game = src.game if r.method in ("spe", "pbe", "pbe_mixed", "pbe_agent") else src.normal_form
    tree = src.game if src.compiled.sequential else None
    kind = KINDS.get(r.method, f"{r.method}")
    n = len(r.equilibria)
    head = f"{s.title} ({s.id}), at the defaults"
    if n == 0:
        return f"{head}: there is no {kind} equilibrium{'' if r.complete else ' found (the search is not complete)'}."

    def payoffs(eq) -> str:
        return ", ".join(f"{p} {v:.3g}" for p, v in zip(game.players, eq.payoffs))

    if n == 1:
        eq = r.equilibria[0]
        return f"{head}: in the one {kind} equilibrium, {play_text(game, eq, r.method, tree)}; payoffs {payoffs(eq)}."
    shown = [f"({k}) {play_text(game, eq, r.method, tree)}, payoffs {payoffs(eq)}"
             for k, eq in enumerate(r.equilibria[:SPELLED_OUT], 1)]
    more = f"; and {n - SPELLED_OUT} more" if n > SPELLED_OUT else ""
    return (f"{head}: {n} {kind} equilibria{'' if r.complete else ' at least'}, so the model alone does not say "
            f"which is played: {'; '.join(shown)}{more}.")


def bargaining_finding(scenario, problem, solutions, gain: float) -> str:
    """The zone of agreement in one sentence: none ("no zone of agreement: ..."), or where the
    Nash bargaining solution puts the agreement and what each player gains over disagreement.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from sim.bargaining import BargainingProblem
    >>> p = BargainingProblem.from_points([[1, -1], [0, 0]], [0, 0], players=("NATO", "Russia"))
    >>> print(bargaining_finding(SimpleNamespace(id="demo"), p, None, 0.0))  # doctest: +NORMALIZE_WHITESPACE
    demo: no zone of agreement: no agreement gives both NATO and Russia more than disagreement (NATO 0,
    Russia 0), so bargaining cannot improve on it and the bargaining solutions are not defined.
    """
    players = list(problem.players)
    d = ", ".join(f"{p} {v:.3g}" for p, v in zip(players, problem.disagreement))
    everyone = f"both {_and(players)}" if len(players) == 2 else f"every one of {_and(players)}"
    if solutions is None:
        return (f"{scenario.id}: no zone of agreement: no agreement gives {everyone} more than disagreement "
                f"({d}), so bargaining cannot improve on it and the bargaining solutions are not defined.")
    nash = solutions.solutions.get("nash") or next(iter(solutions.solutions.values()))
    gains = ", ".join(f"{p} {v - dv:+.3g}" for p, v, dv in zip(players, nash.point, problem.disagreement))
    agreement = ", ".join(f"{k} {v:.2g}" for k, v in (nash.agreement or {}).items())
    return (f"{scenario.id}: there is a zone of agreement (every player can gain up to {gain:.3g} at once over "
            f"disagreement, {d}); the Nash bargaining solution settles at {agreement or 'a lottery of outcomes'}, "
            f"gains over disagreement {gains}.")


def _outcomes(regime: str) -> str:
    """A regime's equilibrium outcomes in words (at most :data:`SPELLED_OUT`).

    Examples
    --------
    >>> _outcomes("A=x, B=y | A=y, B=x"), _outcomes("")
    ('equilibria A=x, B=y and A=y, B=x', 'no pure equilibrium')
    """
    outs = [o for o in regime.split(" | ") if o]
    if not outs:
        return "no pure equilibrium"
    if len(outs) == 1:
        return f"the one equilibrium {outs[0]}"
    shown = outs[:SPELLED_OUT] + ([f"{len(outs) - SPELLED_OUT} more"] if len(outs) > SPELLED_OUT else [])
    return f"equilibria {_and(shown)}"


def sweep_finding(name: str, doc: dict) -> str:
    """A sweep in sentences: which regime holds where (with its share), the next ones, where the
    regime changes, what moved alone changes the defaults' regime most, and how often the
    commonest outcome is an equilibrium (with its 95% interval).

    Examples
    --------
    >>> doc = {"points": 100, "regimes": [
    ...     {"name": "R1", "regime": "A=x", "share": 0.75, "ranges": {"a": [0, 0.5]}},
    ...     {"name": "R2", "regime": "A=y", "share": 0.25, "ranges": {"a": [0.5, 1]}}],
    ...     "thresholds": [{"parameter": "a", "min": 0.5, "max": 0.5, "before": "A=x", "after": "A=y",
    ...                     "lines": 1}],
    ...     "sensitivity": [{"parameter": "a", "flip_share": 0.5, "flip_below": 0.0, "flip_above": 1.0}],
    ...     "outcome_frequencies": [{"outcome": "A=x", "share": 0.75, "low": 0.66, "high": 0.82}]}
    >>> print(sweep_finding("grid", doc))  # doctest: +NORMALIZE_WHITESPACE
    Sweep grid (100 points): R1, the one equilibrium A=x, holds at 75% of the points (a from 0 to 0.5);
    R2, the one equilibrium A=y, at 25% (a from 0.5 to 1). The regime changes from R1 to R2 where a
    crosses 0.5. Moved alone from the defaults, a changes their regime over 50% of its range (only above
    its default). A=x is an equilibrium at 75% of the points (95% interval 66-82%).
    """
    key = {r["regime"]: r["name"] for r in doc["regimes"]}
    regimes = doc["regimes"]
    if not regimes:
        return f"Sweep {name}: no points."

    def where(r) -> str:
        spans = [f"{p} from {lo:.3g} to {hi:.3g}" for p, (lo, hi) in r["ranges"].items()]
        return f" ({', '.join(spans)})" if spans and len(spans) <= 3 else ""

    top = regimes[0]
    if len(regimes) == 1:
        text = f"Sweep {name} ({doc['points']:,} points): {top['name']}, {_outcomes(top['regime'])}, holds everywhere."
    else:
        text = (f"Sweep {name} ({doc['points']:,} points): {top['name']}, {_outcomes(top['regime'])}, holds at "
                f"{_pct(top['share'])} of the points{where(top)}")
        for r in regimes[1:SPELLED_OUT]:
            text += f"; {r['name']}, {_outcomes(r['regime'])}, at {_pct(r['share'])}{where(r)}"
        rest = len(regimes) - SPELLED_OUT
        text += f"; {rest} more regime{'s' if rest > 1 else ''} share the rest." if rest > 0 else "."
    changes = []
    for t in doc.get("thresholds", [])[:SPELLED_OUT]:
        at = (f"{t['min']:.3g}" if t["max"] - t["min"] < 1e-9 else
              f"a value from {t['min']:.3g} to {t['max']:.3g} (depending on the other parameters)")
        changes.append(f"from {key.get(t['before'], t['before'])} to {key.get(t['after'], t['after'])} where "
                       f"{t['parameter']} crosses {at}")
    if changes:
        more = len(doc["thresholds"]) - SPELLED_OUT
        text += f" The regime changes {_and(changes)}" + (f" (and at {more} more places)." if more > 0 else ".")
    moving = [x for x in doc.get("sensitivity", []) if x["flip_share"] > 0]
    if moving:
        parts = []
        for x in moving[:2]:
            side = (" (only above its default)" if x["flip_below"] == 0 else
                    " (only below its default)" if x["flip_above"] == 0 else "")
            parts.append(f"{x['parameter']} changes their regime over {_pct(x['flip_share'])} of its range{side}")
        text += f" Moved alone from the defaults, {_and(parts)}."
        still = [x["parameter"] for x in doc.get("sensitivity", []) if x["flip_share"] == 0]
        if still:
            text = text[:-1] + f"; {_and(still[:4])}{' and others' if len(still) > 4 else ''} never change it."
    elif doc.get("sensitivity"):
        text += " No parameter moved alone from the defaults changes their regime."
    freqs = doc.get("outcome_frequencies") or []
    if freqs:
        f = freqs[0]
        text += (f" {f['outcome']} is an equilibrium at {_pct(f['share'])} of the points "
                 f"(95% interval {100 * f['low']:.0f}-{f['high']:.0%}).")
    return text
