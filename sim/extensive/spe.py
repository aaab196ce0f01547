"""Subgame-perfect equilibria of extensive-form games.

* Perfect information: backward induction (Zermelo 1913; Selten 1965, 1975). Where a mover is
  indifferent, every optimal action is kept, and every combination of choices across the
  subgames is enumerated, so all *pure* subgame-perfect equilibria are returned.
* Imperfect information: the tree is cut at its proper subgames (a node that is alone in its
  information set and whose subtree contains every information set it touches entirely). Each
  subgame, with the subgames below it replaced by their equilibrium payoffs, is solved in reduced
  normal form (:func:`sim.solvers.stage.stage_equilibria`: the pure equilibria, and the extreme
  mixed ones for two players or the isolated ones for more, when small enough), and the pieces
  are composed bottom-up (Selten 1975; Osborne and Rubinstein 1994, section 6.2).
* :func:`backward_induction_batch` runs backward induction for a whole sweep's batch of terminal
  payoffs ``(B, terminals, N)``, vectorised over ``B``; :func:`spe_batch` does the same and also
  flags the points where some decision node has a tie (those, and only those, have several
  subgame-perfect equilibria), names each player's reduced strategy and measures each player's
  best deviation on the reduced normal form, so a sweep can keep :func:`spe_solve` for tied points.

Batch conventions: the batch axis ``B`` (sweep points) comes first; terminals are numbered in
preorder (:func:`sim.extensive.reduced.terminal_table`), decision nodes in preorder, the player
axis ``N`` comes last.

Every equilibrium is certified on the reduced normal form of the whole game
(:meth:`sim.result.Equilibrium.certify`), with ``details`` carrying the behaviour strategy of each
information set and the equilibrium path.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from sim._arrays import readonly
from sim.errors import GameError, SolverError
from sim.extensive.behaviour import (CHANCE, DECISION, TERMINAL, FlatTree, InfosetLayout, InfosetValues,
                                     flatten, has_reduced_view,
                                     perfect_information_measures, recall_violation, regret)
from sim.extensive.reduced import behaviour_from_mixed, mixed_from_behaviour, terminal_table
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Node, Terminal, path_text
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9


def _subtree_infosets(root: Node, sizes) -> dict[int, bool]:
    """``id(node) -> True`` when the node roots a subgame (Selten 1965)."""
    roots: dict[int, bool] = {}

    def walk(node) -> dict[str, int]:
        if isinstance(node, Terminal):
            roots[id(node)] = True
            return {}
        counts: dict[str, int] = {}
        for c in node.children:
            for h, k in walk(c).items():
                counts[h] = counts.get(h, 0) + k
        if isinstance(node, Decision):
            counts[node.infoset] = counts.get(node.infoset, 0) + 1
            alone = sizes[node.infoset] == 1
        else:
            alone = True
        roots[id(node)] = alone and all(sizes[h] == k for h, k in counts.items())
        return counts

    walk(root)
    return roots


def _truncate(node: Node, top: bool, roots, values) -> Node:
    """Copy of ``node``'s subgame with the subgames strictly below replaced by terminal payoffs."""
    if isinstance(node, Terminal):
        return node
    if not top and roots[id(node)]:
        return Terminal(tuple(float(x) for x in values[id(node)]))
    kids = tuple(_truncate(c, False, roots, values) for c in node.children)
    if isinstance(node, Chance):
        return Chance(node.outcomes, node.probs, kids, node.label, node.infoset)
    return Decision(node.player, node.infoset, node.actions, kids, node.label)


def _below(node: Node, top: bool, roots) -> list[Node]:
    """The maximal proper subgame roots strictly below ``node`` (terminals excluded)."""
    if not top and roots[id(node)]:
        return [] if isinstance(node, Terminal) else [node]
    if isinstance(node, Terminal):
        return []
    return [r for c in node.children for r in _below(c, False, roots)]


#: Largest support enumeration (number of support profiles) of an N-player subgame that
#: :func:`spe_solve` hands to ``enumpoly``; a 3x3x3x3 subgame has 2,401.
ENUMPOLY_SUBGAME_SUPPORTS = 5_000
#: Most continua components ``enumpoly`` traces in one subgame of :func:`spe_solve` (each costs
#: up to a second; a subgame whose payoffs are mostly equal has one on nearly every support).
#: Meeting any continuum already makes the subgame's list incomplete, and says so.
ENUMPOLY_SUBGAME_CONTINUA = 16


def _subgame_equilibria(players, sub: Node, tol: float, max_equilibria: int, where: str = "the root",
                        eps: np.ndarray | None = None):
    """Nash equilibria of one truncated subgame as (behaviour, value, pure?) triples, whether the
    list is exhaustive (:func:`sim.solvers.stage.stage_equilibria` on its reduced normal form),
    and why not when it is not (empty otherwise). ``where`` names the subgame in a refusal.

    ``eps`` is each player's indifference margin in the whole tree (:func:`_subgame_margins`): a
    subgame's ties are judged on the tree's payoff scale, not on the subgame's own spread, which
    can be as small as the round-off of the values put in place of the subgames below it (a
    tie reached through chance averages then reads as a strict preference on the subgame's
    scale). ``None`` falls back to ``tol`` on the subgame's own scale."""
    from sim.solvers.stage import stage_equilibria

    game = ExtensiveFormGame.from_root(players, sub)
    try:
        nf = game.reduced_normal_form()
    except GameError as exc:  # the subgame's own size, not the whole tree's, is what is refused
        raise SolverError(f"spe_solve(): the subgame at {where} has imperfect information that no proper "
                          f"subgame cuts, and its reduced normal form is too large to search ({exc})") from None
    # The pure equilibria are counted before any is built (a subgame whose payoffs are all equal
    # has one per profile of its reduced normal form, which can have millions): refuse then. With
    # more than max_equilibria + 1 of them, stage_equilibria would list max_equilibria + 1 and stop
    # (no mixed search), and the refusal below would name the count: the mask alone tells, so no
    # equilibrium is built (the 10,001 that were cost 2.5 s on a tree with 78,732).
    checked = math.isfinite(tol) and (eps is None or bool(np.all(np.isfinite(eps))))  # else stage_equilibria names it
    if checked and math.prod(nf.shape) > max_equilibria + 1:
        from sim.solvers.pure import pure_equilibrium_mask

        count = int(np.count_nonzero(pure_equilibrium_mask(nf.payoffs[None], float(tol), threads=1, atol=eps)))
        if count > max_equilibria + 1:
            raise SolverError(f"spe_solve(): a subgame has {count:,} equilibria, more than "
                              f"max_equilibria={max_equilibria}; raise max_equilibria to enumerate them")
    found = stage_equilibria(nf, tol=tol, mixed="always", max_support_profiles=ENUMPOLY_SUBGAME_SUPPORTS,
                             max_equilibria=max_equilibria + 1, max_continua=ENUMPOLY_SUBGAME_CONTINUA, atol=eps)
    eqs = found.equilibria
    if len(eqs) > max_equilibria:  # as the perfect-information route: refuse, do not truncate
        count = max(len(eqs), found.n_pure or 0)
        raise SolverError(f"spe_solve(): a subgame has {count:,} equilibria, more than "
                          f"max_equilibria={max_equilibria}; raise max_equilibria to enumerate them")
    pure = [e.pure_profile for e in eqs]
    batch = _pure_behaviours(game, np.array([p for p in pure if p is not None], dtype=np.intp)
                             .reshape(-1, len(players)))
    out = []
    for e, p in zip(eqs, pure):
        beh = behaviour_from_mixed(game, e.profile) if p is None else next(batch)
        out.append((beh, np.asarray(e.payoffs, dtype=float), e.is_pure))
    reason = "" if found.complete else (found.reason or "a subgame's equilibrium search was not exhaustive")
    return out, not reason, reason


def _pure_behaviours(game: ExtensiveFormGame, profiles: np.ndarray):
    """:func:`sim.extensive.reduced.behaviour_from_mixed` of ``K`` pure profiles ``(K, N)`` of the
    reduced normal form, one array operation per information set rather than one pass per profile:
    the unit vector of the action the plan takes where it reaches the set, uniform where it does
    not (the same numbers: ``w / w.sum()`` of a unit vector is that vector). Yields the ``K``
    dictionaries in order."""
    from sim.extensive.reduced import _plan_columns

    columns = [dict(cols) for cols in _plan_columns(game)]
    K = len(profiles)
    names, arrays = [], []
    for h, (i, actions) in game.infosets.items():
        n = len(actions)
        a = columns[i][h][profiles[:, i]] if K else np.zeros(0, dtype=np.intp)
        arr = np.empty((K, n))
        arr[:] = np.full(n, 1.0 / n)
        hit = np.flatnonzero(a >= 0)
        arr[hit] = 0.0
        arr[hit, a[hit]] = 1.0
        names.append(h)
        arrays.append(arr)
    for k in range(K):
        yield {h: arr[k] for h, arr in zip(names, arrays)}


def _flat_sequences(flat: FlatTree, behaviours: list) -> list[np.ndarray]:
    """``[flat.sequences(b) for b in behaviours]`` with one array operation per information set;
    on anything out of the ordinary (a missing set, a wrong length, a bad number) the one-profile
    method runs instead, and raises its own error."""
    K = len(behaviours)
    out = np.empty((K, flat.n_sequences))
    try:
        for h, name in enumerate(flat.infoset_names if K else ()):
            p = np.array([b[name] for b in behaviours], dtype=float)
            if p.shape != (K, flat.n_actions[h]) or not np.all(np.isfinite(p)) or np.any(p < -1e-12):
                raise ValueError
            out[:, flat.seq_start[h]:flat.seq_start[h] + flat.n_actions[h]] = p
    except (KeyError, ValueError, TypeError):
        return [flat.sequences(b) for b in behaviours]
    return list(out)


def equilibrium_path(game: ExtensiveFormGame, behaviour) -> list[dict]:
    """Edges played with positive probability under a behaviour profile, in preorder.

    Each step is ``{"path", "node", "mover", "action", "probability", "reach"}``: the node path
    (``root/...``), its label, the mover's name (``"chance"`` for nature), the action, the
    probability of the action at the node, and the probability of reaching the node.
    """
    steps = []
    stack = [(game.root, (), 1.0)]
    while stack:
        node, path, reach = stack.pop()
        if isinstance(node, Terminal):
            continue
        if isinstance(node, Chance):
            names, probs, mover = node.outcomes, node.probs, "chance"
        else:
            names, probs, mover = node.actions, behaviour[node.infoset], game.players[node.player]
        nxt = []
        for a, p, c in zip(names, probs, node.children):
            if p > 1e-12:
                steps.append({"path": path_text(path), "node": node.label, "mover": mover,
                              "action": a, "probability": float(p), "reach": float(reach)})
                nxt.append((c, (*path, a), reach * float(p)))
        stack.extend(reversed(nxt))
    return steps


#: Largest total size of the proper subgames whose regret :func:`spe_solve` measures one by one on
#: an imperfect-information tree (``details["subgame_regret"]``; ``None`` beyond it).
SUBGAME_CHECK_NODES = 200_000


def indifference_tolerances(terminal_payoffs: np.ndarray, tol: float) -> np.ndarray:
    """How far below a node's best value an action still counts as optimal, per point and player.

    The one tie rule of the tree solvers (``spe``, ``spe_batch``) and of ``bargain lint``'s tie
    warnings: ``tol`` times the player's payoff scale in the tree (the spread of the player's
    terminal payoffs, no floor) plus the round-off of payoffs of the player's magnitude, as
    :func:`sim.game.regret_tolerances`. It does not depend on the payoff units.

    Parameters
    ----------
    terminal_payoffs : numpy.ndarray
        ``(B, T, N)``: the terminal payoffs of ``B`` trees (or points) of ``T`` leaves and ``N``
        players.
    tol : float
        Relative tolerance.

    Returns
    -------
    numpy.ndarray
        ``(B, N)``.

    Examples
    --------
    >>> import numpy as np
    >>> pay = np.array([[[0.0, 5.0], [2.0, 5.0], [4.0, 1.0]]])
    >>> eps = indifference_tolerances(pay, 1e-9)
    >>> bool(np.allclose(indifference_tolerances(1e-6 * pay, 1e-9), 1e-6 * eps))
    True
    >>> bool(eps[0, 0] > 4e-9 - 1e-12 and eps[0, 0] < 4e-9 + 1e-12)
    True
    """
    from sim.game import ROUNDOFF, player_scales

    pay = np.asarray(terminal_payoffs, dtype=float)
    if pay.shape[1] == 0:
        return np.zeros((pay.shape[0], pay.shape[2]))
    return tol * player_scales(pay) + ROUNDOFF * np.abs(pay).max(axis=1)


def _subgame_margins(flat: FlatTree, tol: float) -> np.ndarray:
    """Each player's indifference margin in every subgame of an imperfect-information tree: the
    tree's (:func:`indifference_tolerances`, never a subgame's own spread) plus one step of the grid the
    reduced normal form rounds onto (:func:`sim.extensive.reduced.rounding_grid`) per level of the
    tree. Each subgame's value is read off its rounded reduced normal form and rounded again in
    the one above, so two values equal in exact arithmetic can end up to a step apart per level:
    an affine shift of the payoffs (0.5 + 1e-4 x for x) must not turn a tie into a preference."""
    from sim.extensive.reduced import rounding_grid

    pay = flat.payoffs[flat.kind == TERMINAL]
    return indifference_tolerances(pay[None], tol)[0] + len(flat.level) * rounding_grid(pay)


def _pure_backward_induction(flat: FlatTree, eps: np.ndarray):
    """Backward induction on a flat perfect-information tree, children before parents.

    Returns the node values ``(n, N)``, the first optimal action at each information set (one
    node each), and per node whether two or more actions are optimal within the tolerance. The
    arithmetic is the recursive enumeration's (chance values summed left to right from zero), so
    both find the same ties on the same floats. ``eps`` is each player's indifference margin
    (:func:`indifference_tolerances`). One compiled loop over the nodes (:mod:`sim.extensive._tree_jit`).
    """
    from sim.extensive._tree_jit import backward_induction

    return backward_induction(flat.kind, flat.first, flat.count, flat.player, flat.infoset, flat.edge,
                              flat.payoffs, np.ascontiguousarray(eps, dtype=float), len(flat.infoset_names))


def _perfect_information(flat: FlatTree, tol: float, cap: int) -> list[np.ndarray]:
    """All pure SPE of a perfect-information tree as flat sequence vectors (Zermelo 1913; Kuhn 1953).

    One vectorised backward induction finds the values and ties; only the subtrees that hold a
    tied node are enumerated (every combination of optimal choices, as subgame perfection asks
    of every node), the rest keep their unique choice.
    """
    eps = indifference_tolerances(flat.payoffs[flat.kind == TERMINAL][None], tol)[0]
    V, choice, tied = _pure_backward_induction(flat, eps)
    base = np.zeros(flat.n_sequences)
    base[flat.seq_start + choice] = 1.0
    if not tied.any():
        return [base]
    below = tied.copy()  # a tied node at or below each node
    for d in range(len(flat.level) - 2, -1, -1):
        inner = np.flatnonzero(flat.count[flat.level[d]]) + flat.level[d].start
        if len(inner):
            nxt = flat.level[d + 1]
            below[inner] |= np.logical_or.reduceat(below[nxt], flat.first[inner] - nxt.start)

    def solve(x) -> list[tuple[dict, np.ndarray]]:
        if not below[x]:
            return [({}, V[x])]
        f, c = int(flat.first[x]), int(flat.count[x])
        per_child = [solve(y) for y in range(f, f + c)]
        out = []
        for combo in itertools.product(*per_child):
            merged: dict[int, int] = {}
            for over, _ in combo:
                merged.update(over)
            if flat.kind[x] == CHANCE:
                out.append((merged, sum(flat.edge[f + k] * v for k, (_, v) in enumerate(combo))))
            else:
                j = flat.player[x]
                mine = np.array([v[j] for _, v in combo])
                for k in np.flatnonzero(mine >= mine.max() - eps[j]):
                    out.append(({**merged, int(flat.infoset[x]): int(k)}, combo[k][1]))
            if len(out) > cap:
                raise SolverError(f"spe_solve(): more than max_equilibria={cap} subgame-perfect equilibria; "
                                  f"raise max_equilibria to enumerate them")
        return out

    found = []
    for over, _ in solve(0):
        seq = base.copy()
        for h, k in over.items():
            seq[flat.seq_start[h]:flat.seq_start[h] + flat.n_actions[h]] = 0.0
            seq[flat.seq_start[h] + k] = 1.0
        found.append(seq)
    return found


def _proper_subgames(game: ExtensiveFormGame, flat: FlatTree, roots) -> list[tuple] | None:
    """What :func:`_subgame_regret` needs of every proper subgame (the whole game excluded), built
    once per solve rather than once per equilibrium: its flat tree, the positions of its
    sequences in the whole game's flat profile, and a memo of the regrets already measured.
    ``None`` when their total size is over :data:`SUBGAME_CHECK_NODES`."""
    tops = [ExtensiveFormGame(game.players, r) for r in roots if r is not game.root]
    if sum(g.n_nodes for g in tops) > SUBGAME_CHECK_NODES:
        return None
    where = {h: k for k, h in enumerate(flat.infoset_names)}
    out = []
    for g in tops:
        sub = flatten(g)
        take = np.concatenate([np.arange(n) + flat.seq_start[where[h]]
                               for h, n in zip(sub.infoset_names, sub.n_actions)] or [np.zeros(0, np.intp)])
        out.append((sub, take.astype(np.intp), {}))
    return out


def _subgame_regret(seq: np.ndarray, subgames) -> float | None:
    """Largest regret of any player in any proper subgame (the whole game excluded), for an
    imperfect-information tree: each proper subgame is measured on its own flat tree, under the
    profile's restriction to it (``subgames`` from :func:`_proper_subgames`); a subgame's regret
    depends on that restriction only, so equilibria that agree there share one measurement.
    ``None`` when the subgames were too large to build. (Perfect information needs none of this:
    the one-shot gains of :func:`sim.extensive.behaviour.perfect_information_measures` are zero
    exactly for subgame-perfect profiles.)
    """
    if subgames is None:
        return None
    worst = 0.0
    for sub, take, memo in subgames:
        part = seq[take]
        key = part.tobytes()
        if key not in memo:
            memo[key] = float(regret(sub, part).max(initial=0.0))
        worst = max(worst, memo[key])
    return worst


#: Largest ``profiles x nodes`` array :func:`_measure_batch` holds at once (float64: 64 MB); more
#: profiles are measured in chunks.
_BATCH_ENTRIES = 8_000_000


class _PlayerTables:
    """What measuring a player's best response needs of the tree, built once per solve rather than
    once per equilibrium: the player's last own sequence before each node, its information sets
    grouped by own depth (deepest first) with their actions' sequence positions and the sequence
    each hangs from."""

    def __init__(self, flat: FlatTree, i: int):
        from sim.extensive.behaviour import infoset_groups, own_sequences

        self.own_edge = np.zeros(flat.n_nodes, dtype=bool)
        self.own_edge[1:] = flat.player[flat.parent[1:]] == i
        self.last = own_sequences(flat, i)
        self.groups = infoset_groups(flat, i, self.last)


def _measure_batch(flat: FlatTree, seqs: np.ndarray, tables, best_reply: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Expected payoffs ``(K, N)``, best-response payoffs ``(K, N)``, edge probabilities ``(K, n)``
    and reach probabilities ``(K, n)`` of ``K`` flat profiles at once.

    The operations of :func:`sim.extensive.behaviour.expected_payoffs` and
    :func:`sim.extensive.behaviour.best_response_values` (sequence-form best response: von Stengel
    1996), each applied to all profiles along a leading axis, in the same order of arithmetic,
    so every number equals the one-profile function's; ``tables`` holds each player's
    :class:`_PlayerTables`. ``best_reply=False`` leaves the best responses at 0 (a
    perfect-information tree measures them node by node instead).
    """
    K, n = len(seqs), flat.n_nodes
    edge = np.ones((K, n))
    if n > 1:
        child = np.arange(1, n)
        par = flat.parent[1:]
        dec = flat.kind[par] == DECISION
        edge[:, child[dec]] = seqs[:, flat.seq_start[flat.infoset[par[dec]]] + flat.action[child[dec]]]
        edge[:, child[~dec]] = flat.edge[child[~dec]]

    def reach(factor):
        r = np.ones((K, n))
        for sl in flat.level[1:]:
            r[:, sl] = r[:, flat.parent[sl]] * factor[:, sl]
        return r

    r = reach(edge)
    term = np.flatnonzero(flat.kind == TERMINAL)
    pay = flat.payoffs[term]
    # One product per profile, of the same fresh contiguous operands as expected_payoffs (a strided
    # row, or one matrix product, can take another summation order in BLAS).
    payoffs = np.stack([row[term] @ pay for row in r]) if K else np.zeros((0, flat.n_players))
    best = np.zeros((K, flat.n_players))
    for i, tab in enumerate(tables if best_reply else ()):
        ri = reach(np.where(tab.own_edge, 1.0, edge))
        total = np.zeros((flat.n_sequences + 1, K))  # sequences first: add.at adds whole rows, in order
        np.add.at(total, tab.last[term] + 1, (ri[:, term] * flat.payoffs[term, i]).T)
        for idx, starts, parents in tab.groups:
            np.add.at(total, parents, np.maximum.reduceat(total[idx], starts, axis=0))
        best[:, i] = total[0]
    return payoffs, best, edge, r


def _plan_indices(game: ExtensiveFormGame, flat: FlatTree, seqs: np.ndarray) -> np.ndarray:
    """``(K, N)``: the reduced strategy (:func:`sim.extensive.reduced.reduced_strategies`) each
    player's behaviour plays purely in each of ``K`` flat profiles, ``-1`` where it is not pure.

    A player plays reduced strategy ``s`` purely when, at every own information set its own
    earlier choices reach (perfect recall: the set's one parent sequence is chosen), the
    behaviour is exactly one action (probabilities exactly 1 and 0), and ``s`` takes those
    actions there. Then :func:`sim.extensive.reduced.mixed_from_behaviour` gives exactly the unit
    vector of ``s`` (every other plan has a factor 0), so a pure certification on the reduced
    normal form is exactly :meth:`sim.result.Equilibrium.certify`'s.
    """
    from sim.extensive.behaviour import own_sequences
    from sim.extensive.reduced import _reduced

    codes_all = _reduced(game)[2]
    K = len(seqs)
    H = len(flat.infoset_names)
    ones, zeros = seqs == 1.0, seqs == 0.0
    starts = flat.seq_start
    n_one = np.add.reduceat(ones, starts, axis=1) if H else np.zeros((K, 0), dtype=np.int64)
    n_zero = np.add.reduceat(zeros, starts, axis=1) if H else np.zeros((K, 0), dtype=np.int64)
    unit = (n_one == 1) & (n_one + n_zero == flat.n_actions)  # (K, H)
    choice = _segment_first(ones, starts) if H else np.zeros((K, 0), dtype=np.int64)
    out = np.full((K, flat.n_players), -1, dtype=np.intp)
    seq_owner = np.repeat(np.arange(H), flat.n_actions)
    for i in range(flat.n_players):
        own = np.flatnonzero(flat.infoset_player == i)  # preorder of first appearance: parents first
        codes = codes_all[i]
        if tuple(flat.infoset_names[h] for h in own.tolist()) != game.player_infosets(i):
            continue  # the plan tables' columns in another order: leave every profile to certify
        if not len(own):
            out[:, i] = 0 if len(codes) == 1 else -1
            continue
        dec = np.flatnonzero(flat.player == i)
        node_of = np.zeros(H, dtype=np.int64)
        node_of[flat.infoset[dec]] = dec
        parent_seq = own_sequences(flat, i)[node_of[own]]
        reached = np.ones((K, len(own)), dtype=bool)
        col = {h: j for j, h in enumerate(own.tolist())}
        for j, ps in enumerate(parent_seq.tolist()):
            if ps >= 0:  # reached when the set it hangs from is, and plays that sequence's action
                up = int(seq_owner[ps])
                reached[:, j] = reached[:, col[up]] & unit[:, up] & (choice[:, up] == ps - starts[up])
        ok = np.all(unit[:, own] | ~reached, axis=1)
        rows = np.where(reached, choice[:, own], -1)
        out[:, i] = np.where(ok, _lookup_rows(codes, rows), -1)
    return out


def _segment_first(ones: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``(K, H)``: the first action with probability exactly 1 at each information set (0 if none)."""
    pos = np.where(ones, np.arange(ones.shape[1]), ones.shape[1])
    first = np.minimum.reduceat(pos, starts, axis=1)
    return np.where(first < ones.shape[1], first - starts, 0)


def _lookup_rows(codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Index of each row of ``rows`` among the rows of ``codes`` (sorted lexicographically, as
    :func:`sim.extensive.reduced._plan_codes` keeps them), ``-1`` where absent."""
    from sim.extensive.reduced import _row_ids

    if not len(codes):
        return np.full(len(rows), -1, dtype=np.intp)
    ids = _row_ids(np.concatenate([codes, rows]).astype(np.int64))
    known, asked = ids[:len(codes)], ids[len(codes):]
    order = np.argsort(known, kind="stable")
    found = order[np.minimum(np.searchsorted(known[order], asked), len(codes) - 1)]
    return np.where(known[found] == asked, found, -1)


class _PathSteps:
    """:func:`_flat_path` for many profiles: the text of each edge (node path, label, mover,
    action) is made once per edge that some profile plays, not once per profile."""

    def __init__(self, flat: FlatTree, players):
        self.flat, self.players = flat, players
        n = flat.n_nodes
        # Steps come in the order of the depth-first walk: by the preorder of the node moved at,
        # then by action.
        kids = np.arange(1, n)
        self.order = kids[np.lexsort((flat.action[1:], flat.preorder[flat.parent[1:]]))] if n > 1 else kids
        self._paths: dict[int, tuple] = {0: ()}
        self._text: dict[int, tuple] = {}

    def _path(self, x: int) -> tuple:
        found = self._paths.get(x)
        if found is None:
            chain_ = []
            y = x
            while y not in self._paths:
                chain_.append(y)
                y = int(self.flat.parent[y])
            for z in reversed(chain_):
                self._paths[z] = (*self._paths[y], self._name(z))
                y = z
            found = self._paths[x]
        return found

    def _name(self, c: int) -> str:
        flat = self.flat
        node = flat.nodes[int(flat.parent[c])]
        names = node.outcomes if flat.kind[flat.parent[c]] == CHANCE else node.actions
        return names[int(flat.action[c])]

    def _edge(self, c: int) -> tuple:
        found = self._text.get(c)
        if found is None:
            flat = self.flat
            x = int(flat.parent[c])
            node = flat.nodes[x]
            mover = "chance" if flat.kind[x] == CHANCE else self.players[node.player]
            found = self._text[c] = (path_text(self._path(x)), node.label, mover, self._name(c))
        return found

    def steps(self, edge: np.ndarray, reach: np.ndarray) -> list[list[dict]]:
        """The steps of each of ``K`` profiles, from their edge and reach probabilities ``(K, n)``."""
        flat = self.flat
        seen = edge > 1e-12
        for sl in flat.level[1:]:
            seen[:, sl] &= seen[:, flat.parent[sl]]
        order, parent = self.order, self.flat.parent
        out = []
        for k in range(len(edge)):
            cs = order[seen[k, order]]
            probs, reaches = edge[k, cs].tolist(), reach[k, parent[cs]].tolist()
            steps = []
            for c, p, r in zip(cs.tolist(), probs, reaches):
                path, label, mover, action = self._edge(c)
                steps.append({"path": path, "node": label, "mover": mover, "action": action,
                              "probability": p, "reach": r})
            out.append(steps)
        return out


def _certify_pure_rows(nf, plans: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Payoffs ``(K, N)`` (read-only) and max regrets of ``K`` pure profiles of ``nf``, as
    :meth:`sim.result.Equilibrium.certify_pure_many` measures them (exactly
    :meth:`~sim.result.Equilibrium.certify`'s numbers: a deviation payoff of a pure profile is an
    entry of the payoff array), without building one equilibrium per profile."""
    n = nf.n_players
    idx = plans.astype(np.intp, copy=False)
    table = nf.payoffs.reshape(-1, n)
    flat_at = np.ravel_multi_index(tuple(idx.T), nf.shape) if len(idx) else np.zeros(0, np.intp)
    payoffs = table[flat_at]
    regret = np.zeros(len(idx))
    for i in range(n):
        best_table = nf.payoffs[..., i].max(axis=i)
        others = tuple(idx[:, j] for j in range(n) if j != i)
        at = np.ravel_multi_index(others, best_table.shape) if others and len(idx) else np.zeros(len(idx), np.intp)
        regret = np.maximum(regret, best_table.reshape(-1)[at] - payoffs[:, i])
    return readonly(payoffs), regret.tolist()


def spe_solve(game: ExtensiveFormGame, tol: float = DEFAULT_TOL, max_equilibria: int = 10_000) -> SolverResult:
    """Subgame-perfect equilibria of an extensive-form game, by backward induction on the tree.

    The reduced normal form of the whole game is never needed: perfect-information trees are
    solved by one backward induction over flat arrays (ties enumerated where they are), and an
    imperfect-information tree is cut at its proper subgames, each solved on its own (small)
    reduced normal form. Every equilibrium's regret is measured on the tree
    (:mod:`sim.extensive.behaviour`).

    Parameters
    ----------
    game : ExtensiveFormGame
        Must have perfect recall.
    tol : float
        Indifference tolerance, relative to each player's payoff scale in the tree (the spread
        of the player's terminal payoffs), so that the answer does not depend on payoff units.
        The same margin (plus round-off of payoffs of the tree's magnitude, and of the rounding of
        the subgames' reduced normal forms) applies in every subgame, however small the spread of
        the subgame's own payoffs.
    max_equilibria : int
        Refuse (``SolverError``) rather than enumerate more combinations than this.

    Returns
    -------
    SolverResult
        Method ``"spe"``. Where the reduced normal form has at most
        :data:`sim.extensive.behaviour.REDUCED_VIEW_ENTRIES` entries, ``game`` is that normal form and each equilibrium
        is also certified on it (``profile`` over reduced strategies, ``max_regret`` measured
        there, as before); otherwise ``game`` is the tree itself, ``profile`` and ``support``
        are empty and ``max_regret`` is the regret measured on the tree. Either way each
        equilibrium holds ``behaviour`` (infoset -> probabilities) and ``details`` with
        ``behaviour``, ``choices`` (infoset -> action where pure), ``plan`` (player -> decision
        point -> action, or action -> probability where mixed), ``path`` (see
        :func:`equilibrium_path`), ``regret_by_player`` (measured on the tree) and
        ``subgame_regret`` (largest regret in any proper subgame; ``None`` when not measured).
        ``complete`` is True when every pure subgame-perfect equilibrium is listed (perfect
        information, or imperfect information where each subgame's equilibrium search was
        exhaustive for the solvers used); when it is False, ``details["incomplete_reason"]`` says
        why (a subgame too large for vertex or support enumeration gets one equilibrium by
        Lemke-Howson or the logit trace instead: :func:`sim.solvers.stage.stage_equilibria`).
        ``behaviour``, ``choices``, each player's ``plan`` and
        ``result.details["infosets"]`` are read-only mappings over the equilibrium's arrays
        (:class:`sim.extensive.behaviour.InfosetValues`): equal to, and rendered as, the
        dictionaries they stand for, with each entry made when read, so a tree with a million
        decision points costs no per-point Python objects.

    Raises
    ------
    GameError
        For a game with imperfect recall.
    SolverError
        For a bad tolerance or ``max_equilibria``, more equilibria than ``max_equilibria``, or an
        imperfect-information subgame (one no proper subgame cuts further) whose reduced normal
        form is too large to build; the message names where the subgame starts.

    Examples
    --------
    Selten's (1978) entry game: the only subgame-perfect outcome is entry with accommodation.

    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("Entrant", "Incumbent"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> r = spe_solve(g)
    >>> [dict(e.details["choices"]) for e in r.equilibria]
    [{'E': 'in', 'I': 'accommodate'}]
    >>> r.equilibria[0].max_regret, r.equilibria[0].details["plan"]
    (0.0, {'Entrant': {'E': 'in'}, 'Incumbent': {'I': 'accommodate'}})
    """
    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"spe_solve(): needs an ExtensiveFormGame; got {type(game).__name__}")
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)) or not 0 <= tol < np.inf:
        raise SolverError(f"spe_solve(): tol must be a non-negative finite number; got {tol!r}")
    if (isinstance(max_equilibria, bool) or not isinstance(max_equilibria, (int, np.integer))
            or max_equilibria < 1):
        raise SolverError(f"spe_solve(): max_equilibria must be an integer of at least 1; got {max_equilibria!r}")
    flat = flatten(game)
    sizes = np.bincount(flat.infoset[flat.kind == DECISION], minlength=len(flat.infoset_names))
    perfect_information = bool(np.all(sizes == 1))
    bad = None if perfect_information else recall_violation(flat)  # one node per set: nothing to forget
    if bad is not None:
        raise GameError(
            f"spe_solve(): needs a game with perfect recall; information set {flat.infoset_names[bad]!r} of "
            f"{game.players[flat.infoset_player[bad]]!r} is reached after different own histories")
    complete, reason = True, ""
    if perfect_information:
        sequences = _perfect_information(flat, tol, max_equilibria)
    else:
        behaviours, complete, reason = _compose(game, tol, max_equilibria, _subgame_margins(flat, tol))
        sequences = _flat_sequences(flat, behaviours)
        marks = _subtree_infosets(game.root, game.infoset_sizes)
        roots = [node for _, node in game.nodes() if not isinstance(node, Terminal) and marks[id(node)]]
        subgames = _proper_subgames(game, flat, roots)  # once, not once per equilibrium
    nf = game.reduced_normal_form() if has_reduced_view(flat) else None
    players = game.players
    layout = InfosetLayout(flat, players)
    owner = np.repeat(np.arange(len(flat.infoset_names)), flat.n_actions)
    mine = [np.flatnonzero(flat.infoset_player == i) for i in range(len(players))]
    all_rows = np.arange(len(flat.infoset_names))
    # Built once, not once per equilibrium.
    tables = [] if perfect_information else [_PlayerTables(flat, i) for i in range(len(players))]
    walker = _PathSteps(flat, players)
    units: dict[tuple[int, int], np.ndarray] = {}  # read-only unit strategies, shared by the equilibria

    def unit(n: int, a: int) -> np.ndarray:
        if (n, a) not in units:
            v = np.zeros(n)
            v[a] = 1.0
            units[(n, a)] = readonly(v, copy=False)
        return units[(n, a)]

    equilibria = []
    # Every equilibrium is measured, but in chunks of profiles with one array operation per tree
    # level (not one Python pass per equilibrium); the numbers are the one-profile functions'.
    chunk = max(1, _BATCH_ENTRIES // max(flat.n_nodes, 1))
    for lo in range(0, len(sequences), chunk):
        part = sequences[lo:lo + chunk]
        block = readonly(np.array(part, dtype=float).reshape(len(part), flat.n_sequences))
        payoffs_k, best_k, edge_k, reach_k = _measure_batch(flat, block, tables, not perfect_information)
        paths = walker.steps(edge_k, reach_k)
        plans = _plan_indices(game, flat, block) if nf is not None else None
        if plans is not None:
            pure_rows = np.flatnonzero(np.all(plans >= 0, axis=1))
            nf_pay, nf_regret = _certify_pure_rows(nf, plans[pure_rows])
            at_row = {int(k): j for j, k in enumerate(pure_rows)}
        by_player_k = np.maximum(0.0, best_k - payoffs_k)
        by_player_lists = by_player_k.tolist()
        # The information sets each profile plays purely, for all profiles at once.
        hit_k, hit_s = np.nonzero(block > 1 - 1e-12)
        pure_k = np.split(owner[hit_s], np.searchsorted(hit_k, np.arange(1, len(block))))
        for k, ro in enumerate(block):
            seq = ro
            behaviour = InfosetValues(layout, ro, all_rows, "array")
            if perfect_information:  # one bottom-up pass gives payoffs, best replies and one-shot gains
                payoffs, best, gains = perfect_information_measures(flat, seq)
                worst_subgame = float(gains.max(initial=0.0))
                by_player = np.maximum(0.0, best - payoffs)
                regret_list = by_player.tolist()
            else:
                payoffs, by_player, regret_list = payoffs_k[k], by_player_k[k], by_player_lists[k]
                worst_subgame = _subgame_regret(seq, subgames)
            pure = pure_k[k]
            details = dict(behaviour=InfosetValues(layout, ro, all_rows, "list"),
                           choices=InfosetValues(layout, ro, pure, "choice"),
                           plan={p: InfosetValues(layout, ro, rows, "plan") for p, rows in zip(players, mine)},
                           path=paths[k],
                           regret_by_player=dict(zip(players, regret_list)),
                           subgame_regret=worst_subgame)
            if nf is not None and k in at_row:  # pure on the reduced normal form: looked up
                j = at_row[k]
                eq = Equilibrium(tuple(unit(nf.shape[i], a) for i, a in enumerate(plans[k].tolist())),
                                 nf_pay[j], tuple((a,) for a in plans[k].tolist()), nf_regret[j], None,
                                 MappingProxyType(details), behaviour)
            elif nf is not None:
                eq = Equilibrium.certify(nf, mixed_from_behaviour(game, behaviour), **details)
                eq = dataclasses.replace(eq, behaviour=behaviour)
            else:
                eq = Equilibrium((), readonly(np.array(payoffs)), (), float(by_player.max(initial=0.0)), None,
                                 MappingProxyType(details), behaviour)
            equilibria.append(eq)
    return SolverResult("spe", nf if nf is not None else game, tuple(equilibria),
                        {"tol": tol, "max_equilibria": max_equilibria},
                        complete=complete,
                        details={"perfect_information": perfect_information,
                                 "reduced_form": nf is not None,
                                 "infosets": layout.infosets(),
                                 **({"incomplete_reason": reason} if reason else {})})


def _flat_path(flat: FlatTree, seq: np.ndarray, players) -> list[dict]:
    """:func:`equilibrium_path` read from the flat tree and a flat profile (same steps, same order)."""
    steps = []
    stack = [(0, (), 1.0)]
    nodes, kind, first = flat.nodes, flat.kind, flat.first
    while stack:
        x, path, reach = stack.pop()
        if kind[x] == TERMINAL:
            continue
        node = nodes[x]
        if kind[x] == CHANCE:
            names, probs, mover = node.outcomes, node.probs, "chance"
        else:
            h = int(flat.infoset[x])
            a = int(flat.seq_start[h])
            names, probs, mover = node.actions, seq[a:a + int(flat.n_actions[h])], players[node.player]
        f = int(first[x])
        nxt = []
        for k, (a, p) in enumerate(zip(names, probs)):
            if p > 1e-12:
                steps.append({"path": path_text(path), "node": node.label, "mover": mover,
                              "action": a, "probability": float(p), "reach": float(reach)})
                nxt.append((f + k, (*path, a), reach * float(p)))
        stack.extend(reversed(nxt))
    return steps


def _compose(game: ExtensiveFormGame, tol: float, cap: int, eps: np.ndarray | None = None):
    """Bottom-up composition of subgame equilibria for imperfect-information trees; ``eps`` is
    each player's indifference margin on the whole tree's scale (:func:`_subgame_margins`), used in
    every subgame."""
    roots = _subtree_infosets(game.root, game.infoset_sizes)
    reasons: list[str] = []

    def solve(node) -> list[tuple[dict, np.ndarray]]:
        below = _below(node, True, roots)
        options = [solve(b) for b in below]
        name = node.label or node.infoset
        where = "the root" if node is game.root else f"move {name!r}" if name else "an unnamed node"
        # Every combination of the subgames' equilibria has at least one equilibrium of the
        # truncated game above it (Nash 1951), so more combinations than the cap means more
        # subgame-perfect equilibria than the cap: refuse before solving any of them.
        combos = math.prod(len(o) for o in options)
        if combos > cap:
            counts = [len(o) for o in options]
            sizes = (" x ".join(f"{k:,}" for k in counts) if len(counts) <= 6 else
                     f"the product of {len(counts)} subgames' counts ({min(counts):,} to {max(counts):,} each)")
            raise SolverError(f"spe_solve(): the subgames below {where} combine into {sizes} = {combos:,} "
                              f"choices of their equilibria, each the start of at least one subgame-perfect "
                              f"equilibrium: more than max_equilibria={cap}; raise max_equilibria to enumerate them")
        out = []
        # The truncated game depends on the combination only through the subgames' values; where
        # ties give many combinations the same values (a subgame whose payoffs are all equal has
        # every one of its equilibria worth the same), it is solved once.
        solved: dict[tuple, tuple] = {}
        for combo in itertools.product(*options):
            merged: dict[str, np.ndarray] = {}
            for beh, _ in combo:
                merged.update(beh)
            key = tuple(np.asarray(v, dtype=float).tobytes() for _, v in combo)
            if key not in solved:
                sub = _truncate(node, True, roots, {id(b): v for b, (_, v) in zip(below, combo)})
                solved[key] = _subgame_equilibria(game.players, sub, tol, cap, where, eps)
            eqs, _, reason = solved[key]
            if reason and reason not in reasons:
                reasons.append(reason)
            for beh, value, _ in eqs:
                out.append(({**merged, **beh}, value))
            if len(out) > cap:
                raise SolverError(f"spe_solve(): more than max_equilibria={cap} subgame-perfect equilibria; "
                                  f"raise max_equilibria to enumerate them")
        return out

    found = [b for b, _ in solve(game.root)]
    return found, not reasons, "; ".join(reasons)


def backward_induction_batch(game: ExtensiveFormGame, terminal_payoffs) -> tuple[np.ndarray, np.ndarray]:
    """Backward induction for a batch of payoff assignments of one perfect-information tree.

    Parameters
    ----------
    game : ExtensiveFormGame
        Perfect information; its own payoffs are ignored.
    terminal_payoffs : array, shape (B, T, N)
        Payoffs of the ``T`` terminals in preorder (the order of
        :func:`sim.extensive.reduced.terminal_table`) for each of ``B`` sweep points.

    Returns
    -------
    choices : int array, shape (B, D)
        Action index chosen at each of the ``D`` decision nodes (preorder) at each point; on a tie
        the first optimal action (use :func:`spe_solve` on one point to list all).
    values : array, shape (B, N)
        Subgame-perfect payoffs at the root.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> pay = np.array([[[0, 2], [-1, -1], [1, 1]], [[0, 2], [-1, 0], [1, -1]]], dtype=float)
    >>> choices, values = backward_induction_batch(g, pay)
    >>> choices.tolist(), values.tolist()
    ([[1, 1], [0, 0]], [[1.0, 1.0], [0.0, 2.0]])
    """
    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"backward_induction_batch(): needs an ExtensiveFormGame; got {type(game).__name__}")
    if not game.perfect_information:
        raise GameError("backward_induction_batch(): needs perfect information; some information set has several nodes")
    pay = np.asarray(terminal_payoffs, dtype=float)
    n_terminals = len(terminal_table(game)[0])
    if pay.ndim != 3 or pay.shape[1:] != (n_terminals, game.n_players):
        raise SolverError(f"backward_induction_batch(): terminal_payoffs must have shape "
                          f"(B, {n_terminals}, {game.n_players}); got {pay.shape}")
    decisions: list[Decision] = []
    terminals: list[Terminal] = []
    index: dict[int, int] = {}
    for _, node in game.nodes():
        if isinstance(node, Decision):
            index[id(node)] = len(decisions)
            decisions.append(node)
        elif isinstance(node, Terminal):
            index[id(node)] = len(terminals)
            terminals.append(node)
    choices = np.zeros((pay.shape[0], len(decisions)), dtype=int)

    # Iterative postorder: loop over nodes, vectorised over the batch.
    def value(node) -> np.ndarray:
        if isinstance(node, Terminal):
            return pay[:, index[id(node)], :]
        kids = np.stack([value(c) for c in node.children], axis=1)  # (B, k, N)
        if isinstance(node, Chance):
            return np.einsum("k,bkn->bn", np.asarray(node.probs), kids)
        best = np.argmax(kids[:, :, node.player], axis=1)
        choices[:, index[id(node)]] = best
        return kids[np.arange(kids.shape[0]), best, :]

    return choices, value(game.root)


@dataclass(frozen=True, eq=False)
class SPEBatch:
    """What :func:`spe_batch` finds for each of ``B`` payoff assignments of one tree.

    Attributes
    ----------
    choices : int array (B, D)
        Action index at each decision node (preorder): the first action of largest payoff to the
        mover, so on a tie-free point the unique subgame-perfect choice.
    values : array (B, N)
        Subgame-perfect payoffs at the root.
    tied : bool array (B,)
        True where some decision node, reached or not, has two or more actions within the
        tolerance of the best (the rule of :func:`spe_solve`); exactly the points where
        :func:`spe_solve` finds more than one subgame-perfect equilibrium.
    strategies : int array (B, N)
        Index of each player's reduced strategy (:func:`sim.extensive.reduced.reduced_strategies`)
        that ``choices`` implement (-1 when :func:`spe_batch` was asked not to name them).
    best_reply : array (B, N)
        Each player's best payoff against the others' ``choices`` (a best reply over all of its
        reduced strategies), so ``best_reply - values`` is the regret on the reduced normal form.
    """

    choices: np.ndarray
    values: np.ndarray
    tied: np.ndarray
    strategies: np.ndarray
    best_reply: np.ndarray


def _batch_chance_probs(chance: list[Chance], chance_probs, B: int) -> list[np.ndarray]:
    """Per-point probabilities ``(B, k)`` of each chance node (the tree's own when not given)."""
    if chance_probs is None:
        return [np.broadcast_to(np.asarray(c.probs, dtype=float), (B, len(c.probs))) for c in chance]
    chance_probs = list(chance_probs)
    if len(chance_probs) != len(chance):
        raise SolverError(f"spe_batch(): chance_probs needs one array per chance node ({len(chance)}); "
                          f"got {len(chance_probs)}")
    out = []
    for c, p in zip(chance, chance_probs):
        p = np.asarray(p, dtype=float)
        p = np.broadcast_to(p, (B, len(c.probs))) if p.ndim == 1 else p
        if p.shape != (B, len(c.probs)) or not np.all(np.isfinite(p)) or np.any(p < 0):
            raise SolverError(f"spe_batch(): chance_probs of the node {c.label or '(unnamed)'!r} must be finite, "
                              f">= 0 and of shape ({B}, {len(c.probs)}); got shape {p.shape}")
        out.append(p)
    return out


def spe_batch(game: ExtensiveFormGame, terminal_payoffs, *, tol: float = DEFAULT_TOL,
              chance_probs=None, strategies: bool = True) -> SPEBatch:
    """Backward induction over a batch of payoff assignments of one perfect-information tree,
    with the tie flag, reduced strategies and best replies a sweep needs to trust each point.

    Backward induction (Zermelo 1913; Kuhn 1953; Selten 1965) visits each node once, children
    before parents, and handles all ``B`` points at that node in one array operation; there is no
    loop over points. Chance nodes average their children's values with the probabilities of
    each point. The tie rule is :func:`spe_solve`'s: at a decision node of player ``j`` whose
    children give ``j`` the payoffs ``m``, the optimal actions are those with
    ``m >= max(m) - eps_j``, ``eps_j`` being ``tol`` times the spread of ``j``'s terminal payoffs at
    the point plus round-off (:func:`indifference_tolerances`); a point is tied when some node, reached or
    not, has more than one (subgame perfection constrains every node). The arithmetic follows
    :func:`spe_solve` operation by operation, so on the same floats both take the same decisions.

    Parameters
    ----------
    game : ExtensiveFormGame
        Perfect information; its own payoffs are ignored.
    terminal_payoffs : array, shape (B, T, N)
        Payoffs of the ``T`` terminals in preorder for each of ``B`` points.
    tol : float
        Indifference tolerance, relative to each player's payoff scale at the point (as in
        :func:`spe_solve`).
    chance_probs : sequence of arrays (B, k) or (k,), optional
        Probabilities of each chance node (preorder) per point; default the tree's own.
    strategies : bool
        Whether to name each player's reduced strategy (``SPEBatch.strategies``); False skips
        listing the reduced strategies (a tree may have too many) and leaves ``strategies`` at -1.

    Returns
    -------
    SPEBatch

    Raises
    ------
    GameError
        When the tree has an information set with several nodes (imperfect information).
    SolverError
        When the payoffs, tolerance or chance probabilities have the wrong shape or value.

    Examples
    --------
    Selten's entry game at three points; at the second the incumbent is indifferent.

    >>> import numpy as np
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> pay = np.array([[[0, 2], [-1, -1], [1, 1]], [[0, 2], [-1, 1], [1, 1]], [[0, 2], [-1, 0], [1, -1]]])
    >>> r = spe_batch(g, pay)
    >>> r.tied.tolist(), r.choices.tolist(), r.values.tolist()
    ([False, True, False], [[1, 1], [0, 0], [0, 0]], [[1.0, 1.0], [0.0, 2.0], [0.0, 2.0]])
    >>> (r.best_reply - r.values).max(axis=1).tolist()  # regret on the reduced normal form
    [0.0, 0.0, 0.0]
    """
    from sim.extensive.reduced import reduced_strategies

    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"spe_batch(): needs an ExtensiveFormGame; got {type(game).__name__}")
    if not game.perfect_information:
        raise GameError("spe_batch(): needs perfect information; some information set has several nodes")
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)) or not 0 <= tol < np.inf:
        raise SolverError(f"spe_batch(): tol must be a non-negative finite number; got {tol!r}")
    pay = np.asarray(terminal_payoffs, dtype=float)
    n_players = game.n_players
    nodes = [node for _, node in game.nodes()]  # preorder
    decisions = [n for n in nodes if isinstance(n, Decision)]
    chance = [n for n in nodes if isinstance(n, Chance)]
    n_terminals = len(nodes) - len(decisions) - len(chance)
    if pay.ndim != 3 or pay.shape[1:] != (n_terminals, n_players):
        raise SolverError(f"spe_batch(): terminal_payoffs must have shape (B, {n_terminals}, {n_players}); "
                          f"got {pay.shape}")
    if not np.all(np.isfinite(pay)):
        raise SolverError("spe_batch(): terminal_payoffs must be finite; got a NaN or infinite entry")
    B = pay.shape[0]
    eps = indifference_tolerances(pay, tol)
    probs = _batch_chance_probs(chance, chance_probs, B)
    # Node objects can repeat (equal subtrees are shared), so positions come from the preorder
    # walk, not from id(): one entry per position.
    children: list[list[int]] = [[] for _ in nodes]
    walk = [(game.root, None)]
    pos = 0
    while walk:
        node, parent = walk.pop()
        if parent is not None:
            children[parent].append(pos)
        here = pos
        pos += 1
        if not isinstance(node, Terminal):
            walk.extend((c, here) for c in reversed(node.children))
    kind_index = []  # position -> index among its kind (decision, chance, terminal) in preorder
    counters = {Decision: 0, Chance: 0, Terminal: 0}
    for n in nodes:
        kind_index.append(counters[type(n)])
        counters[type(n)] += 1

    rows = np.arange(B)
    choices = np.zeros((B, len(decisions)), dtype=np.intp)
    tied = np.zeros(B, dtype=bool)
    value: list = [None] * len(nodes)
    reply: list = [None] * len(nodes)
    for at in range(len(nodes) - 1, -1, -1):  # reverse preorder: children before parents
        node = nodes[at]
        if isinstance(node, Terminal):
            value[at] = reply[at] = pay[:, kind_index[at], :]
            continue
        kids = children[at]
        if isinstance(node, Chance):
            p = probs[kind_index[at]]
            # Same order of operations as spe_solve's sum(p * v ...): left to right.
            v = p[:, 0, None] * value[kids[0]]
            r = p[:, 0, None] * reply[kids[0]]
            for k in range(1, len(kids)):
                v = v + p[:, k, None] * value[kids[k]]
                r = r + p[:, k, None] * reply[kids[k]]
            value[at], reply[at] = v, r
        else:
            j = node.player
            vals = np.stack([value[c] for c in kids], axis=1)  # (B, k, N)
            mine = vals[:, :, j]
            top = mine.max(axis=1)
            tied |= np.count_nonzero(mine >= (top - eps[:, j])[:, None], axis=1) > 1
            best = np.argmax(mine, axis=1)
            choices[:, kind_index[at]] = best
            value[at] = vals[rows, best, :]
            # Others keep following the chosen action; the mover takes its best reply here.
            reps = np.stack([reply[c] for c in kids], axis=1)
            r = reps[rows, best, :]
            r[:, j] = reps[:, :, j].max(axis=1)
            reply[at] = r
        for c in kids:  # free the children: memory stays O(depth * B * N)
            value[c] = reply[c] = None

    if not strategies:
        return SPEBatch(choices, value[0], tied, np.full((B, n_players), -1, dtype=np.intp), reply[0])
    # Reduced strategy of each player: its choices where its own earlier choices let play reach.
    plans = reduced_strategies(game)
    d_pos = {h: kind_index[k] for k, n in enumerate(nodes) if isinstance(n, Decision) for h in [n.infoset]}
    masked = np.full((B, len(decisions)), -1, dtype=np.int16)
    walk2 = [(0, (np.ones(B, dtype=bool),) * n_players)]
    while walk2:
        at, ok = walk2.pop()
        node = nodes[at]
        if isinstance(node, Terminal):
            continue
        if isinstance(node, Decision):
            d = kind_index[at]
            j = node.player
            masked[:, d] = np.where(ok[j], choices[:, d], -1)
            for k, c in enumerate(children[at]):
                walk2.append((c, ok[:j] + (ok[j] & (choices[:, d] == k),) + ok[j + 1:]))
        else:
            walk2.extend((c, ok) for c in children[at])
    strategies = np.zeros((B, n_players), dtype=np.intp)
    for i in range(n_players):
        own = [d_pos[h] for h in game.player_infosets(i)]
        if not own:
            continue
        key_of = {tuple(game.infosets[h][1].index(plan[h]) if h in plan else -1 for h in game.player_infosets(i)): s
                  for s, plan in enumerate(plans[i])}
        sub = np.ascontiguousarray(masked[:, own])
        uniq, inverse = np.unique(sub.view(np.dtype((np.void, sub.itemsize * len(own)))).ravel(),
                                  return_inverse=True)
        lookup = np.array([key_of[tuple(int(x) for x in np.frombuffer(u.tobytes(), dtype=np.int16))] for u in uniq],
                          dtype=np.intp)
        strategies[:, i] = lookup[inverse.ravel()]
    return SPEBatch(choices, value[0], tied, strategies, reply[0])
