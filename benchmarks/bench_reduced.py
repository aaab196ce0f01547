"""The reduced strategies and reduced normal form of a tree whose player sees hidden chance states.

Workload: player A moves (unseen), chance draws one of ``S`` equally likely states that B sees
and C does not, B picks one of three actions, C moves last without seeing anything; every payoff
is 0 (the tie-rich tree of ``tests/test_extensive_spe.py``). B has ``3**S`` reduced strategies,
and the two children of A's move hold the same states, so merging B's plans below A pairs every
plan of one child with every plan of the other in a pairwise construction.

Rows, for ``S`` = 5, 6 (quick) or 7, 8, 9 (full), each on a freshly built game with the cache of
reduced tables cleared:

* ``bargain-sim reduced_strategies``: the plans as arrays of action indices, joined
  (:func:`sim.extensive.reduced._merge`);
* ``bargain-sim reduced_normal_form``: the same plus the reach matrices and payoff tensor;
* ``pairwise frozenset merge``: the construction it replaced (plans as frozensets of
  ``(infoset, action)``, every pair of plans checked), up to ``S = 5`` (quick) or ``S = 8`` (full;
  ``S = 9`` takes minutes);
  its plans are compared with ours (a second of the quick run, most of the full run).

Run: ``.venv/bin/python -m benchmarks.bench_reduced`` (or ``python -m benchmarks.run reduced``).
"""

from __future__ import annotations

import time

import numpy as np

from sim.extensive.reduced import _reduced_by_value, reduced_normal_form, reduced_strategies
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

QUICK = (5, 6)
FULL = (7, 8, 9)
PAIRWISE_UP_TO = {True: 5, False: 8}  # quick, full


def hidden_states(k: int) -> ExtensiveFormGame:
    """The workload's tree with ``k`` states (new node objects on every call)."""
    def state(s):
        return Decision(1, f"b{s}", ("x", "y", "z"), tuple(
            Decision(2, "c", ("l", "r"), (Terminal((0.0, 0.0, 0.0)), Terminal((0.0, 0.0, 0.0)))) for _ in range(3)))
    chance = Chance(tuple(f"s{s}" for s in range(k)), (1 / k,) * k, tuple(state(s) for s in range(k)))
    return ExtensiveFormGame.from_root(("A", "B", "C"), Decision(0, "a", ("u", "v"), (chance, chance)))


def _pairwise_plans(node, player, memo):
    """One player's plans as frozensets, merged pair by pair (the construction before)."""
    if id(node) in memo:
        return memo[id(node)][1]
    if isinstance(node, Terminal):
        out = [frozenset()]
    elif isinstance(node, Decision) and node.player == player:
        out = list({p | {(node.infoset, a)}: None for a, c in zip(node.actions, node.children)
                    for p in _pairwise_plans(c, player, memo) if dict(p).get(node.infoset, a) == a})
    else:
        out = [frozenset()]
        for c in node.children:
            right = _pairwise_plans(c, player, memo)
            out = list({a | b: None for a in out for b in right
                        if all(dict(a).get(h, x) == x for h, x in b)})
    memo[id(node)] = (node, out)
    return out


def _pairwise(game: ExtensiveFormGame) -> list[set]:
    return [set(_pairwise_plans(game.root, i, {})) for i in range(game.n_players)]


def _median_ms(fn, k: int, repeats: int) -> tuple[float, object]:
    """Median time of ``fn`` on a freshly built ``k``-state tree (building not timed)."""
    times, out = [], None
    for _ in range(repeats):
        game = hidden_states(k)
        _reduced_by_value.cache_clear()  # equal games share the tables: time the construction
        start = time.perf_counter()
        out = fn(game)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times)), out


def run(quick: bool) -> list[dict]:
    rows = []
    for k in QUICK if quick else FULL:
        label = f"reduced strategies, {k} hidden states ({3 ** k:,} plans for B)"
        ours_ms, ours = _median_ms(reduced_strategies, k, 3)
        nf_ms, nf = _median_ms(reduced_normal_form, k, 3)
        rows.append({"benchmark": label, "implementation": "bargain-sim reduced_strategies", "median_ms": ours_ms,
                     "ratio_vs_ours": 1.0})
        rows.append({"benchmark": label, "implementation": "bargain-sim reduced_normal_form", "median_ms": nf_ms,
                     "ratio_vs_ours": nf_ms / ours_ms, "note": f"shape {'x'.join(map(str, nf.shape))}"})
        old = "pairwise frozenset merge (the construction before)"
        if k <= PAIRWISE_UP_TO[quick]:
            old_ms, plans = _median_ms(_pairwise, k, 1)
            same = plans == [{frozenset(p.items()) for p in ps} for ps in ours]
            rows.append({"benchmark": label, "implementation": old, "median_ms": old_ms,
                         "ratio_vs_ours": old_ms / ours_ms, "note": "same plans" if same else "PLANS DIFFER"})
        else:
            rows.append({"benchmark": label, "implementation": old,
                         "note": f"skipped above {PAIRWISE_UP_TO[quick]} states (seconds to minutes)"})
    return rows


if __name__ == "__main__":
    import sys

    from benchmarks.run import main

    sys.exit(main(["reduced", *sys.argv[1:]]))
