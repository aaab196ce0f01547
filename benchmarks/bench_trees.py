"""One equilibrium of a two-player tree: the sequence form (``seqlcp``) against the reduced form.

Workloads:

* two-player trees of Gambit's corpus (``tests/data/gambit/*.efg`` with perfect recall);
* generated trees of growing depth: ``rounds`` rounds of a simultaneous 2x2 game played in turn
  (player 0 moves, then player 1 without seeing that move; both see every earlier round), with
  payoffs uniform in [-10, 10] at the ``4**rounds`` leaves from a seed. A player has
  ``1 + 2 * (4**rounds - 1) / 3`` sequences, while its reduced strategies number
  ``2**(2**rounds - 1)`` (2, 8, 128, 32,768, 2**31): the reduced form is out of reach from four
  rounds on.

Implementations, each timed on the same tree (median of ``repeats`` calls):

* ``bargain-sim seqlcp_solve`` (the reference row): Lemke on the sequence form, with the flat
  layout, the certification of the regret on the tree and, where small enough, on the reduced
  normal form included;
* ``bargain-sim lcp_solve on the reduced form``: building the reduced normal form and running
  Lemke-Howson on it, where the reduced form has at most 1,000,000 entries;
* ``pygambit lcp_solve(use_strategic=False)``: Gambit's sequence-form Lemke on the tree written
  as ``.efg``, in a subprocess with a time limit; the solve call alone is timed (reading the
  file is not), in floating point (``rational=False``).

A second table times the enumeration of *every* extreme equilibrium on the same kind of trees:

* ``bargain-sim seqenum_solve`` (the reference row): compiled vertex enumeration on the sequence
  form, the complementary join, the pruning to extreme equilibria and the certification
  included (three rounds are refused by the ``max_bases`` bound: the row says after how long);
* ``bargain-sim enummixed_solve on the reduced form``: the reduced normal form built and its
  best-response polytopes enumerated;
* ``pygambit lcp_solve(use_strategic=False)`` on the tree: every equilibrium Gambit's
  sequence-form Lemke paths reach (not a complete enumeration), solve call alone timed, floats;
* ``pygambit enummixed_solve`` on the same reduced form (written as ``.nfg``), in a subprocess
  with a time limit, solve call alone timed, floats.

The numba kernels are compiled (or loaded from the cache) by one untimed call before timing.

Run: ``.venv/bin/python -m benchmarks.bench_trees`` (``--enum`` for the enumeration rows alone; or ``python -m benchmarks.run trees``;
``--count ROUNDS`` counts the vertices ``seqenum`` would visit at ``ROUNDS`` rounds from the subtrees, see
:func:`rounds_vertex_counts`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from sim.extensive.behaviour import flatten, recall_violation, reduced_strategy_counts
from sim.extensive.sequence import seqlcp_solve
from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal

ROOT = Path(__file__).resolve().parent.parent
GAMBIT_TIMEOUT = 120.0
CORPUS = ("bayes1a", "e16", "montyhal", "4cards", "artist2", "bcp2", "caro2")
QUICK_ROUNDS = (1, 2, 3)
FULL_ROUNDS = (1, 2, 3, 4, 5)

_GAMBIT = r"""
import sys, time
import pygambit as gbt
game = gbt.read_efg(sys.argv[1])
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    res = gbt.nash.lcp_solve(game, use_strategic=False, rational=False)
    times.append(time.perf_counter() - start)
times.sort()
print(times[len(times) // 2], len(res.equilibria))
"""


_GAMBIT_ENUM = r"""
import sys, time
import pygambit as gbt
game = gbt.read_nfg(sys.argv[1])
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    res = gbt.nash.enummixed_solve(game, rational=False)
    times.append(time.perf_counter() - start)
times.sort()
print(times[len(times) // 2], len(res.equilibria))
"""
ENUM_CORPUS = ("e04", "e10", "km1", "km2", "cent2", "bayes1a", "work3", "nim7", "4cards", "montyhal", "artist2",
               "bayes2a", "palf2")
ENUM_ROUNDS = (1, 2, 3)
#: Largest reduced form (strategy pairs) the enumeration rows hand to ``enummixed``: beyond it a
#: degenerate reduced form takes minutes on either implementation.
ENUM_MAX_ENTRIES = 4_096


def repeated_pennies(rounds: int, seed: int = 0) -> ExtensiveFormGame:
    """``rounds`` rounds of a simultaneous 2x2 game in turn (see the module docstring)."""
    rng = np.random.default_rng(seed)
    pays = iter(rng.uniform(-10, 10, size=(4 ** rounds, 2)).round(6).tolist())

    def node(r: int, history: str):
        if r == rounds:
            return Terminal(tuple(next(pays)))
        kids = tuple(Decision(1, f"B{history}", ("l", "r"), tuple(node(r + 1, f"{history}{a}{b}") for b in "lr"))
                     for a in "ud")
        return Decision(0, f"A{history}", ("u", "d"), kids)

    return ExtensiveFormGame.from_root(("A", "B"), node(0, ""), f"{rounds} rounds in turn")


def _rounds_tree(pays, rounds: int) -> ExtensiveFormGame:
    """:func:`repeated_pennies`'s tree with the given leaf payoffs (in the order of its leaves)."""
    it = iter(pays)

    def node(r: int, history: str):
        if r == rounds:
            return Terminal(tuple(next(it)))
        kids = tuple(Decision(1, f"B{history}", ("l", "r"), tuple(node(r + 1, f"{history}{a}{b}") for b in "lr"))
                     for a in "ud")
        return Decision(0, f"A{history}", ("u", "d"), kids)

    return ExtensiveFormGame.from_root(("A", "B"), node(0, ""), f"{rounds} rounds in turn")


def _best_value_vertices(game: ExtensiveFormGame):
    """Per polyhedron of :mod:`sim.extensive.sequence_enum` (player 0's plans, then player 1's):
    its vertices with every opponent information set tight (enumerated by ``seqenum``'s search),
    the opponent's backward-induction value at each (raw payoffs) and the values at the two ends
    of each edge between them (two vertices whose common tight labels, one row per opponent
    information set among them, leave a face of dimension one)."""
    from sim.extensive import sequence_enum as se
    from sim.extensive.sequence import sequence_form

    sf = sequence_form(game)
    (A, B, E, F), (MP, hP), (MQ, hQ) = se._polyhedra(sf)
    n0, n1 = A.shape
    L = n0 + n1
    starts = (se._start_basis(E, sf.parent[0], F, sf.parent[1], lambda x: B.T @ x, 0, n0, L, F.shape[0]),
              se._start_basis(F, sf.parent[1], E, sf.parent[0], lambda y: A @ y, n0, 0, L, E.shape[0]))
    raw = (lambda x: np.asarray(sf.B, float).T @ x, lambda y: np.asarray(sf.A, float) @ y)
    out = []
    for M, h, start, slack, opp, own, pay in ((MP, hP, starts[0], range(n0, L), (F, sf.parent[1]), slice(0, n0), raw[0]),
                                              (MQ, hQ, starts[1], range(n0), (E, sf.parent[0]), slice(n0, L), raw[1])):
        group, n_groups = se._slack_groups(*opp, slack, L)
        labels, bases, _, _ = se._vertices(M, h, L, start, slack, 1e-9, 10**7, "x", (group, n_groups))
        points = se._basis_points(M, h, bases)
        values = []
        for z in points:  # backward induction of the opponent against the plan
            v = pay(z[own].clip(0.0, None)).astype(float)
            for j in range(len(opp[1]) - 1, -1, -1):
                v[opp[1][j]] += v[np.flatnonzero(opp[0][1 + j, 1:] > 0) + 1].max()
            values.append(v[0])
        values = np.array(values)
        tight = np.unpackbits(labels.astype("<u8").view(np.uint8), axis=1, bitorder="little")[:, :L].astype(bool)
        ends = []
        for i in range(len(labels)):
            for j in range(i + 1, len(labels)):
                common = np.flatnonzero(tight[i] & tight[j])
                if all((group[common] == k).any() for k in range(n_groups)):
                    K = np.vstack([M, np.eye(M.shape[1])[common]])
                    if M.shape[1] - np.linalg.matrix_rank(K, tol=1e-8) == 1:
                        ends.append((values[i], values[j]))
        out.append((values, np.array(ends).reshape(-1, 2)))
    return out


def rounds_vertex_counts(rounds: int, seed: int = 0) -> tuple[int, int]:
    """The number of vertices ``seqenum`` must visit in each polyhedron of :func:`repeated_pennies`
    (those where every opponent information set has a tight row), counted from the four subtrees
    after the first round, without enumerating the whole tree.

    In player 0's polyhedron the plan is ``x_u`` times plans of the subtrees after ``(u, l)`` and
    ``(u, r)`` and ``1 - x_u`` times plans of the two after ``d``; player 1's first rows compare
    ``l``, worth ``x_u v_ul + (1 - x_u) v_dl``, with ``r`` (``v``: player 1's values in the
    subtrees). So the polyhedron is the join of the products of the subtrees' polyhedra cut by
    the best-value condition at the root, and its vertices are (a) ``x_u`` in ``{0, 1}`` and a
    vertex in each live subtree (every pair), (b) ``x_u = 1`` (or ``0``) with one subtree on an
    edge whose value crosses the other's vertex value, and (c) ``0 < x_u < 1`` with both rows
    tight: a vertex in each of the four subtrees with ``v_ul - v_ur`` and ``v_dl - v_dr`` of
    opposite signs, ``x_u`` then fixed. Player 1's polyhedron alike with ``y_l``. At two rounds
    this gives the searched counts exactly (54 and 49).
    """
    pays = np.random.default_rng(seed).uniform(-10, 10, size=(4 ** rounds, 2)).round(6)
    block = 4 ** (rounds - 1)
    sub = [_best_value_vertices(_rounds_tree(pays[k * block:(k + 1) * block].tolist(), rounds - 1))
           for k in range(4)]  # subtrees (u,l), (u,r), (d,l), (d,r)

    def crossings(ends, values):
        lo, hi = ends.min(axis=1, initial=np.inf), ends.max(axis=1, initial=-np.inf)
        return int(((lo[:, None] < values[None, :] - 1e-9) & (values[None, :] + 1e-9 < hi[:, None])).sum())

    counts = []
    for pol, ((a, b), (c, d)) in ((0, ((0, 1), (2, 3))), (1, ((0, 2), (1, 3)))):
        (va, ea), (vb, eb), (vc, ec), (vd, ed) = (sub[k][pol] for k in (a, b, c, d))
        pure = len(va) * len(vb) + len(vc) * len(vd)
        edge = crossings(ea, vb) + crossings(eb, va) + crossings(ec, vd) + crossings(ed, vc)
        s1 = np.sign(np.round(np.subtract.outer(va, vb), 9)).ravel()
        s2 = np.sign(np.round(np.subtract.outer(vc, vd), 9)).ravel()
        mixed = int((s1 > 0).sum() * (s2 < 0).sum() + (s1 < 0).sum() * (s2 > 0).sum())
        counts.append(pure + edge + mixed)
    return counts[0], counts[1]


def _time(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def _gambit(path: Path, repeats: int, script: str = _GAMBIT):
    try:
        proc = subprocess.run([sys.executable, "-c", script, str(path), str(repeats)], capture_output=True,
                              text=True, timeout=GAMBIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {GAMBIT_TIMEOUT:.0f} s"
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or [""])[-1]
        return None, f"failed (exit {proc.returncode}): {why[:120]}"
    seconds, n = proc.stdout.split()
    return float(seconds), f"{n} equilibri{'um' if n == '1' else 'a'}"


def _enum_rows(label: str, game: ExtensiveFormGame, repeats: int, tmp: Path, gambit: bool) -> list[dict]:
    """Every extreme equilibrium: ``seqenum`` on the tree against ``enummixed`` on the reduced
    form (ours and pygambit's) and pygambit's ``lcp`` on the tree (every equilibrium its
    sequence-form paths reach)."""
    from sim.errors import SolverError
    from sim.extensive.sequence_enum import seqenum_solve
    from sim.solvers.mixed import enummixed_solve

    name = "bargain-sim seqenum_solve (sequence form)"
    start = time.perf_counter()
    try:
        ours, result = _time(lambda: seqenum_solve(game), repeats)
    except SolverError as exc:  # the max_bases bound: the row says when, the others still run
        took = time.perf_counter() - start
        ms = None
        rows = [{"benchmark": label, "implementation": name,
                 "note": f"refused after {took:.1f} s: {str(exc).split(';')[0].removeprefix('seqenum_solve(): ')}"}]
    else:
        ms = 1000 * ours
        d = result.details
        seqs, verts, bases = d["sequences"], d["vertices"], d["bases"]
        rows = [{"benchmark": label, "implementation": name, "median_ms": ms, "ratio_vs_ours": 1.0,
                 "note": f"{'+'.join(map(str, seqs.values()))} sequences, {len(result.equilibria)} equilibria "
                         f"({d['candidates']} candidates, {len(d['nash_subsets'])} Nash subsets), "
                         f"{'+'.join(map(str, verts.values()))} vertices, "
                         f"{'+'.join(map(str, bases.values()))} bases, regret {result.max_regret:.1e}"}]

    def ratio(t_ms):
        return {"median_ms": t_ms, "ratio_vs_ours": t_ms / ms} if ms else {"median_ms": t_ms}
    counts = reduced_strategy_counts(flatten(game))
    name = "bargain-sim enummixed_solve on the reduced form"
    nf = None
    if counts.max() > 2_000 or counts.prod() > ENUM_MAX_ENTRIES:
        rows.append({"benchmark": label, "implementation": name,
                     "note": f"skipped: reduced form {counts[0]:.3g} x {counts[1]:.3g} strategies"})
    else:
        nf = game.reduced_normal_form()
        try:
            t, r = _time(lambda: enummixed_solve(game.reduced_normal_form()), repeats)
        except SolverError as exc:
            rows.append({"benchmark": label, "implementation": name, "note": f"refused: {str(exc)[:120]}"})
        else:
            rows.append({"benchmark": label, "implementation": name, **ratio(1000 * t),
                         "note": f"{int(counts[0])}x{int(counts[1])} reduced form built and solved, "
                                 f"{len(r.equilibria)} equilibria, regret {r.max_regret:.1e}"})
    if gambit:
        from sim.formats.efg import format_efg
        from sim.formats.nfg import format_nfg

        path = tmp / "tree.efg"
        path.write_text(format_efg(game))
        found, why = _gambit(path, repeats)
        name = "pygambit lcp_solve(use_strategic=False) on the tree"
        if found is None:
            rows.append({"benchmark": label, "implementation": name, "note": why})
        else:
            rows.append({"benchmark": label, "implementation": name, **ratio(1000 * found),
                         "note": why + " it reaches (solve only, floats)"})
        if nf is not None:
            path = tmp / "reduced.nfg"
            path.write_text(format_nfg(nf))
            found, why = _gambit(path, repeats, _GAMBIT_ENUM)
            name = "pygambit enummixed_solve on the reduced form"
            if found is None:
                rows.append({"benchmark": label, "implementation": name, "note": why})
            else:
                rows.append({"benchmark": label, "implementation": name, **ratio(1000 * found),
                             "note": why + " (solve only, floats)"})
    return rows


def _rows(label: str, game: ExtensiveFormGame, repeats: int, tmp: Path, gambit: bool) -> list[dict]:
    flat = flatten(game)
    counts = reduced_strategy_counts(flat)
    ours, result = _time(lambda: seqlcp_solve(game), repeats)
    ms = 1000 * ours
    seqs = result.details["sequences"]
    rows = [{"benchmark": label, "implementation": "bargain-sim seqlcp_solve (sequence form)", "median_ms": ms,
             "ratio_vs_ours": 1.0,
             "note": f"{flat.n_nodes} nodes, {'+'.join(map(str, seqs.values()))} sequences, "
                     f"{result.details['pivots']} pivots, regret {result.max_regret:.1e}"}]
    entries = float(np.prod(counts))
    name = "bargain-sim lcp_solve on the reduced form"
    if counts.max() <= 20_000 and entries <= 1_000_000:
        from sim.solvers.mixed import lcp_solve

        t, r = _time(lambda: lcp_solve(game.reduced_normal_form()), repeats)
        rows.append({"benchmark": label, "implementation": name, "median_ms": 1000 * t,
                     "ratio_vs_ours": 1000 * t / ms,
                     "note": f"{int(counts[0])}x{int(counts[1])} reduced form built and solved, "
                             f"regret {r.max_regret:.1e}"})
    else:
        rows.append({"benchmark": label, "implementation": name,
                     "note": f"skipped: reduced form {counts[0]:.3g} x {counts[1]:.3g} strategies"})
    if gambit:
        from sim.formats.efg import format_efg

        path = tmp / "tree.efg"
        path.write_text(format_efg(game))
        found, why = _gambit(path, repeats)
        name = "pygambit lcp_solve(use_strategic=False)"
        if found is None:
            rows.append({"benchmark": label, "implementation": name, "note": why})
        else:
            rows.append({"benchmark": label, "implementation": name, "median_ms": 1000 * found,
                         "ratio_vs_ours": 1000 * found / ms, "note": why + " (solve only, floats)"})
    return rows


def run(quick: bool) -> list[dict]:
    import tempfile

    from sim.formats.efg import read_efg

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in CORPUS[:3] if quick else CORPUS:
            game = read_efg(ROOT / "tests" / "data" / "gambit" / f"{name}.efg")
            if game.n_players != 2 or recall_violation(flatten(game)) is not None:
                continue
            rows += _rows(f"seqlcp corpus {name}.efg", game, 3 if quick else 7, tmp, not quick)
        for rounds in QUICK_ROUNDS if quick else FULL_ROUNDS:
            game = repeated_pennies(rounds)
            rows += _rows(f"seqlcp {rounds} rounds in turn, {4 ** rounds} leaves", game,
                          1 if rounds >= 4 else 3, tmp, not quick)
    return rows + run_enum(quick)


def run_enum(quick: bool) -> list[dict]:
    """The enumeration rows alone (``--enum``)."""
    import tempfile

    from sim.formats.efg import read_efg

    from sim.extensive.sequence_enum import seqenum_solve

    seqenum_solve(repeated_pennies(1))  # compile (or load) the kernels outside the timing
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in ENUM_CORPUS[:3] if quick else ENUM_CORPUS:
            game = read_efg(ROOT / "tests" / "data" / "gambit" / f"{name}.efg")
            rows += _enum_rows(f"seqenum corpus {name}.efg", game, 3 if quick else 5, tmp, not quick)
        for rounds in ENUM_ROUNDS[:2] if quick else ENUM_ROUNDS:
            rows += _enum_rows(f"seqenum {rounds} rounds in turn, {4 ** rounds} leaves", repeated_pennies(rounds),
                               1 if rounds >= 3 else 3, tmp, not quick)
    return rows


if __name__ == "__main__":
    from benchmarks.run import format_table

    quick = "--quick" in sys.argv
    if "--count" in sys.argv:
        rounds = int(sys.argv[sys.argv.index("--count") + 1])
        print(f"{rounds} rounds: best-value vertices of player 0's and player 1's polyhedra:",
              *(f"{n:,}" for n in rounds_vertex_counts(rounds)))
    else:
        print(format_table(run_enum(quick) if "--enum" in sys.argv else run(quick)))
