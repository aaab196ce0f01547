"""Perfect Bayesian equilibria in behaviour strategies (mixed and semi-separating ones included) of
small trees with imperfect information, by support enumeration on the agent form.

The *agent form* (Selten 1975; Kuhn 1953) gives every information set its own agent, who has the
owner's payoff. A behaviour profile ``sigma`` (``sigma[h]``: probabilities over ``h``'s actions)
with beliefs ``mu`` is a perfect Bayesian equilibrium (Fudenberg and Tirole 1991, ch. 8) when at
every information set each action played with positive probability is a best answer given the
belief there and the later play, and beliefs follow Bayes' rule wherever they can. As in
:mod:`sim.extensive.pbe`, the weight of a node in its owner's belief counts only chance and the
*other* players' moves: under perfect recall the owner's own earlier moves are a common factor, so
Bayes' rule also pins the belief at a set that only the owner's own deviation leaves unreached.
Sets whose nodes chance and the others all exclude are *free*: any belief may be chosen there.

Algorithm. For every support profile (one non-empty set ``S_h`` of actions per information set,
all with positive probability):

1. The *pinned* mixing agents (``|S_h| > 1`` and a positive Bayes weight) must be indifferent on
   ``S_h``: ``sum_x w(x) (v(x, a) - v(x, a0)) = 0``. Under perfect recall ``w`` and ``v`` are
   multilinear in the other agents' strategies and free sets do not enter them (a free set is
   reached only through an action outside some support), so these conditions are exactly the
   indifference conditions of a small normal-form game among the pinned mixing agents (payoff of
   agent ``h`` at a pure profile: ``sum_x w(x) v(x, b_h)``). Its totally mixed equilibria are
   the solutions: found by :func:`sim.solvers.poly.enumpoly_solve` (McKelvey and McLennan 1996,
   polynomial support enumeration) on that game, or directly for one agent (a tie, or none).
2. Free mixing agents (off path, any belief) are decided exactly where their conditions are
   linear in their mixtures (:func:`_free_mixtures`): their own conditions (a belief making
   their support a best answer) do not depend on any free mixture when no free mixing agent
   lies below another, and the other agents' conditions are then affine in the mixtures when
   every free set above one has a single node and no Bayes-weighted set lies below one; a
   linear program over the mixtures (largest smallest support probability) then either gives
   one (the set of such equilibria is a continuum; one representative is reported, as
   :func:`sim.extensive.signalling.pbe_mixed_solve` does) or shows there is none. Other cases
   (multilinear conditions) are searched on a grid, which can find a point but not rule one
   out. Pure agents play their action.
3. The whole assessment is checked: Bayes' beliefs where the weight is positive; at free sets a
   linear program over the belief simplex finds a belief making every action of ``S_h`` a best
   answer (largest margin over the others, as in :mod:`sim.extensive.pbe`); every support action
   must be within ``tol`` (relative to the payoff spread) of the best at every set.

Every PBE has the supports of some profile, the pinned conditions of step 1 are necessary, and
step 3 is the definition: each reported assessment is a PBE (its measured regret says by how
much), and when no support profile is left unresolved the list is complete up to the
continua, of which one point per support profile is listed (``complete``). A profile is
*unresolved* when the normal-form solver reports a continuum or failed paths for its pinned game,
or when its free mixing agents' conditions are multilinear and no grid point passes step 3.

Bounds. At most :data:`MAX_INFOSETS` information sets with at most :data:`MAX_ACTIONS` actions
each, and at most ``max_support_profiles`` support profiles (``prod(2**|A_h| - 1)``); beyond
that the solver refuses with a ``SolverError`` before any work.

Two-stage signalling games have no later moves after the receiver's, so step 1 is there a pair
of linear systems: the equilibria are those of :func:`sim.extensive.signalling.pbe_mixed_solve`
(the tests compare the two).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from sim.errors import SolverError
from sim.extensive.consistency import solver_consistency, tremble_beliefs
from sim.extensive.nodes import Chance, Decision, Terminal, path_text
from sim.extensive.pbe import OFF_PATH_BAYES, OFF_PATH_CHOSEN, ON_PATH, _Flat, classify_messages, signalling_roles
from sim.extensive.reduced import mixed_from_behaviour
from sim.extensive.spe import equilibrium_path
from sim.extensive.tree import ExtensiveFormGame
from sim.game import ROUNDOFF
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-7
#: Most information sets (agents) and actions per information set the solver accepts.
MAX_INFOSETS = 16
MAX_ACTIONS = 4
DEFAULT_MAX_SUPPORT_PROFILES = 100_000
#: Where the free mixing agents' conditions are not linear in their mixtures (a case the exact
#: linear program does not decide): grid steps per action, and most grid points, of the search
#: that may still find one point (it cannot show there is none).
SEARCH_GRID = 8
MAX_SEARCH_POINTS = 512
#: Smallest probability on a support action.
MIN_PROBABILITY = 1e-9
#: Smallest probability the linear program of the free mixing agents may put on a support action:
#: below it a mixture is within the tolerance of the smaller support's profile (listed with that
#: profile), not an equilibrium of its own.
MIN_FREE_PROBABILITY = 1e-6


class _Tree(_Flat):
    """The flat tree of :mod:`sim.extensive.pbe`, evaluated under behaviour (mixed) profiles."""

    def __init__(self, game: ExtensiveFormGame):
        super().__init__(game)
        self.h_index = {h: j for j, h in enumerate(self.infosets)}
        self.node_h = np.array([self.h_index[n.infoset] if isinstance(n, Decision) else -1 for n in self.nodes])
        self.owner = [game.infosets[h][0] for h in self.infosets]
        self.lp_cache: dict = {}
        #: The tree's payoff scale: the spread of all its payoffs (1 when they are all equal). The
        #: tolerance and the linear programs' rows are measured on it.
        spread = float(np.ptp(np.asarray(self.pays, dtype=float))) if len(self.pays) else 0.0
        self.scale = min(spread, float(np.finfo(float).max)) if spread > 0 else 1.0

    def values(self, sigma) -> np.ndarray:  # type: ignore[override]
        """Continuation payoffs ``(nodes, N)`` under ``sigma`` (list of arrays per infoset index)."""
        v = np.zeros((len(self.nodes), self.n_players))
        for k in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[k]
            if isinstance(node, Terminal):
                v[k] = node.payoffs
            else:
                probs = node.probs if isinstance(node, Chance) else sigma[self.node_h[k]]
                v[k] = np.asarray(probs) @ v[self.kids[k]]
        return v

    def reach(self, sigma) -> np.ndarray:  # type: ignore[override]
        """``r[k, i]``: probability of node ``k`` from chance and the moves of all players but ``i``;
        ``r[k, N]``: the full reach probability."""
        n = self.n_players
        r = np.zeros((len(self.nodes), n + 1))
        r[0] = 1.0
        for k, node in enumerate(self.nodes):
            if isinstance(node, Terminal):
                continue
            if isinstance(node, Chance):
                for p, c in zip(node.probs, self.kids[k]):
                    r[c] = r[k] * p
            else:
                for p, c in zip(sigma[self.node_h[k]], self.kids[k]):
                    step = np.full(n + 1, float(p))
                    step[node.player] = 1.0
                    r[c] = r[k] * step
        return r


def _uniform(tree: _Tree, supports) -> list[np.ndarray]:
    out = []
    for h, s in zip(tree.infosets, supports):
        p = np.zeros(len(tree.kids[tree.members[h][0]]))
        p[list(s)] = 1.0 / len(s)
        out.append(p)
    return out


def _belief_lp(u: np.ndarray, support, eps: float):
    """A belief over the rows of ``u`` (nodes x actions) under which every action of ``support`` is
    within ``eps`` of the best, with the largest margin over the others; None when there is none."""
    from scipy.optimize import linprog

    n, m = u.shape
    others = [b for b in range(m) if b not in support]
    rows, rhs, margin = [], [], []
    for a in support:
        for b in range(m):
            if b == a:
                continue
            rows.append(u[:, b] - u[:, a])  # (u_b - u_a) . mu <= -t  (b outside), <= eps (b inside)
            margin.append(1.0 if b in others else 0.0)
            rhs.append(0.0)
    if not rows:
        return np.full(n, 1.0 / n)
    a_ub = np.hstack([np.array(rows), np.array(margin)[:, None]])
    c = np.zeros(n + 1)
    c[-1] = -1.0
    res = linprog(c, A_ub=a_ub, b_ub=rhs, A_eq=np.hstack([np.ones((1, n)), [[0.0]]]), b_eq=[1.0],
                  bounds=[(0, None)] * n + [(None, 1.0)], method="highs")
    if res.status != 0 or -res.fun < -eps:
        return None
    mu = np.clip(res.x[:n], 0.0, None)
    return mu / mu.sum()


def _assess(tree: _Tree, sigma, supports, eps: float):
    """Beliefs and, per information set, the sequential-rationality gap of the assessment: the
    best action's gain over the worst support action given the belief (``inf`` where a free set
    has no belief supporting its actions). Returns ``(beliefs, gaps)``; ``beliefs[h]`` is
    ``(mu, status)`` (``mu`` None where no belief was found)."""
    v = tree.values(sigma)
    r = tree.reach(sigma)
    beliefs, gaps = {}, np.zeros(len(tree.infosets))
    for j, h in enumerate(tree.infosets):
        i = tree.owner[j]
        members = tree.members[h]
        u = np.array([[v[c, i] for c in tree.kids[x]] for x in members])
        w = r[members, i]
        if w.sum() > 1e-14:
            mu = w / w.sum()
            status = ON_PATH if r[members, -1].sum() > 1e-14 else OFF_PATH_BAYES
        else:
            key = (j, tuple(supports[j]), u.tobytes())
            if key not in tree.lp_cache:  # the same free set and later play recur across profiles
                tree.lp_cache[key] = _belief_lp(u / tree.scale, supports[j], eps / tree.scale)
            mu = tree.lp_cache[key]
            status = OFF_PATH_CHOSEN
        if mu is None:
            gaps[j] = np.inf
        else:
            e = mu @ u
            gaps[j] = max(0.0, float(e.max() - min(e[a] for a in supports[j])))
        beliefs[h] = (mu, status)
    return beliefs, gaps


def _pinned_solutions(tree: _Tree, supports, pinned, tol: float, eps: float):
    """Totally mixed solutions of the pinned agents' indifference conditions, as lists of arrays
    (one per pinned agent, over the full action set), and whether the list is complete."""
    base = _uniform(tree, supports)
    if not pinned:
        return [[]], True
    combos = list(itertools.product(*[supports[j] for j in pinned]))
    pay = np.zeros(tuple(len(supports[j]) for j in pinned) + (len(pinned),))
    for combo in combos:
        sigma = list(base)
        for j, a in zip(pinned, combo):
            sigma[j] = np.eye(len(base[j]))[a]
        v = tree.values(sigma)
        r = tree.reach(sigma)
        idx = tuple(supports[j].index(a) for j, a in zip(pinned, combo))
        for q, (j, a) in enumerate(zip(pinned, combo)):
            h, i = tree.infosets[j], tree.owner[j]
            pay[idx + (q,)] = sum(r[x, i] * v[tree.kids[x][a], i] for x in tree.members[h])
    if len(pinned) == 1:
        u = pay[..., 0]
        if u.max() - u.min() > eps:
            return [], True
        return [[_spread(len(base[pinned[0]]), supports[pinned[0]], np.full(len(u), 1.0 / len(u)))]], False
    out = []
    found, complete = _totally_mixed(pay, tol, eps)
    for x in found:
        out.append([_spread(len(base[j]), supports[j], p) for j, p in zip(pinned, x)])
    return out, complete


def _totally_mixed(pay: np.ndarray, tol: float, eps: float):
    """Totally mixed solutions of the indifference system of the normal-form game ``pay``
    (``(n_1, ..., n_k, k)``): the one support of :func:`sim.solvers.poly.enumpoly_solve`'s
    homotopy that matters here (its other supports would be other support profiles of the tree).
    Returns (solutions as lists of arrays, complete); not complete when some agent's payoff does
    not depend on its action at all (a continuum), or a path failed or ended singular inside the
    simplex."""
    from sim.solvers._poly_system import Model, assignments, split
    from sim.solvers.poly import _endpoints_jit

    k = pay.shape[-1]
    for q in range(k):
        diff = np.moveaxis(pay[..., q], q, 0)
        if np.ptp(diff, axis=0).max() <= eps:  # agent q is indifferent whatever the others do
            return [], False
    full = tuple(tuple(range(n)) for n in pay.shape[:-1])
    if not assignments(tuple(n - 1 for n in pay.shape[:-1])):
        return [], True  # no start solution: a generic system without solutions
    lo, scale = float(pay.min()), max(float(np.ptp(pay)), 1e-300)
    u = (pay - lo) / scale
    rng = np.random.default_rng(0)
    model = Model.build(u, rng)
    n = int(model.offsets[-1])
    chart = rng.normal(size=n) + 1j * rng.normal(size=n)
    found, singular, failed, _ = _endpoints_jit(model, [full], chart, tol)
    out = []
    for y in found:
        parts = [np.asarray(v, float) for v in split(model, y)]
        if all(p.min() > MIN_PROBABILITY for p in parts) and not any(
                all(np.abs(p - q).max() < 1e-7 for p, q in zip(parts, o)) for o in out):
            out.append(parts)
    # Singular end points inside the simplex may be a continuum of solutions; those far outside
    # are paths to solutions at infinity (as when the conditions contradict each other).
    near = [y for ys in singular.values() for y in ys if np.min(y) >= -1e-6 and np.max(y) <= 1 + 1e-6]
    return out, not near and failed == 0


def _spread(n: int, support, p) -> np.ndarray:
    out = np.zeros(n)
    out[list(support)] = p
    return out


def _descendants(tree: _Tree, j: int) -> set[int]:
    """Nodes strictly below a node of information set ``j``."""
    out, stack = set(), [c for x in tree.members[tree.infosets[j]] for c in tree.kids[x]]
    while stack:
        k = stack.pop()
        out.add(k)
        stack.extend(tree.kids[k])
    return out


def _margins(tree: _Tree, sigma, supports, sets) -> dict:
    """``(j, a, b) -> E[u(b)] - E[u(a)]`` at each information set ``j`` of ``sets`` (support
    action ``a``, action ``b`` outside the support), with the Bayes belief (a single node: belief
    1). The sequential-rationality conditions these sets put on the free agents' mixtures."""
    v = tree.values(sigma)
    r = tree.reach(sigma)
    out = {}
    for j in sets:
        i = tree.owner[j]
        members = tree.members[tree.infosets[j]]
        u = np.array([[v[c, i] for c in tree.kids[x]] for x in members])
        w = r[members, i]
        mu = w / w.sum() if w.sum() > 1e-14 else np.ones(len(members))
        e = mu @ u
        for a in supports[j]:
            for b in range(u.shape[1]):
                if b not in supports[j]:
                    out[j, a, b] = float(e[b] - e[a])
    return out


def _free_mixtures(tree: _Tree, sigma, supports, free, eps: float):
    """Mixtures of the free mixing agents ``free`` (off path, any belief) that complete ``sigma``
    (pinned and pure agents set) to a PBE: ``("found", (sigma, beliefs, gap))``, ``("none",
    None)`` when there is none, or ``("unresolved", reason)``.

    Exact where the conditions are linear in the free mixtures: no free mixing agent lies below
    another, every free set above one has a single node, and no set with a positive Bayes weight
    lies below one. Then each condition is a sum over paths, each path through at most one free
    agent, with beliefs that do not move: an affine function of the mixtures, read off at the
    vertices of their simplices. A linear program (HiGHS) then maximises the smallest probability
    of a support action subject to every condition; the profile is a PBE for some mixtures iff
    that optimum is positive (the support sets probabilities positive; an optimum below
    :data:`MIN_FREE_PROBABILITY` counts as zero). The free agents' own
    conditions (a belief making their support a best answer) do not depend on their own or the
    other free mixtures, so they are decided once, by the belief LP of :func:`_assess`."""
    from scipy.optimize import linprog

    n_sets = len(tree.infosets)
    base = list(sigma)
    beliefs, gaps = _assess(tree, base, supports, eps)
    below = {f: _descendants(tree, f) for f in free}
    is_free = [tree.reach(base)[tree.members[h], tree.owner[j]].sum() <= 1e-14 for j, h in enumerate(tree.infosets)]

    nodes_of = [set(tree.members[h]) for h in tree.infosets]
    anc = {(j, f): bool(nodes_of[f] & _descendants(tree, j)) for j in range(n_sets) for f in free if j != f}
    r = tree.reach(base)
    weighted_below = {(j, f) for j in range(n_sets) for f in free if j != f and not is_free[j]
                      and any(x in below[f] and r[x, tree.owner[j]] > 1e-14 for x in tree.members[tree.infosets[j]])}
    depends = [any(anc.get((j, f)) or (j, f) in weighted_below for f in free) for j in range(n_sets)]
    if any(g > eps and not depends[j] for j, g in enumerate(gaps)):
        return "none", None  # fails where the free agents' play does not matter
    if not free:
        return ("found", (base, beliefs, float(gaps.max(initial=0.0)))) if gaps.max(initial=0.0) <= eps else ("none", None)
    why = ("a free mixing agent lies below another (conditions multilinear in their mixtures)"
           if any(anc.get((f, g)) for f in free for g in free if f != g) else
           "a free set with several nodes lies above a free mixing agent (belief and mixture multiply)"
           if any(is_free[j] and len(tree.members[tree.infosets[j]]) > 1 and anc.get((j, f))
                  for j in range(n_sets) for f in free) else
           "a set weighed by Bayes' rule lies below a free mixing agent (its belief moves with the mixture)"
           if weighted_below else "")
    if why:
        # Not linear: a search of the simplices can only find mixtures, not rule them out.
        grids = [[_spread(len(base[f]), supports[f], np.array(c) / SEARCH_GRID)
                  for c in itertools.product(range(1, SEARCH_GRID), repeat=len(supports[f]))
                  if sum(c) == SEARCH_GRID] for f in free]
        for pick in itertools.islice(itertools.product(*grids), MAX_SEARCH_POINTS):
            trial = list(base)
            for f, p in zip(free, pick):
                trial[f] = p
            beliefs, gaps = _assess(tree, trial, supports, eps)
            if gaps.max(initial=0.0) <= eps:
                return "found", (trial, beliefs, float(gaps.max(initial=0.0)))
        return "unresolved", why + "; no grid point passes"
    sets = [j for j in range(n_sets) if depends[j]]
    cols = [(f, a) for f in free for a in supports[f]]
    vertex = list(base)
    for f in free:
        vertex[f] = _spread(len(base[f]), supports[f], np.eye(len(supports[f]))[0])
    g0 = _margins(tree, vertex, supports, sets)
    keys = list(g0)
    coef = np.zeros((len(keys), len(cols)))
    for c, (f, a) in enumerate(cols):
        trial = list(vertex)
        trial[f] = np.eye(len(base[f]))[a]
        ga = _margins(tree, trial, supports, sets)
        coef[:, c] = [ga[k] - g0[k] for k in keys]
    # variables: p[f, a] (cols), then s = the smallest support probability; maximise s.
    n = len(cols) + 1
    # the program runs on the tree's payoff scale (the solver's absolute tolerances then mean the
    # same in any payoff units)
    coef, unit_eps = coef / tree.scale, eps / tree.scale
    a_ub = np.hstack([coef, np.zeros((len(keys), 1))]) if keys else np.zeros((0, n))
    g0v = np.array([g0[k] for k in keys]) / tree.scale
    rows = []
    for f in free:
        row = np.zeros(n)
        row[[c for c, (g, _) in enumerate(cols) if g == f]] = 1.0
        rows.append(row)
    floor = np.zeros((len(cols), n))
    floor[:, :-1] = -np.eye(len(cols))
    floor[:, -1] = 1.0  # s - p <= 0
    objective = np.zeros(n)
    objective[-1] = -1.0

    def solve(slack):
        return linprog(objective, A_ub=np.vstack([a_ub, floor]), b_ub=np.concatenate([slack - g0v, np.zeros(len(cols))]),
                       A_eq=np.array(rows), b_eq=np.ones(len(free)), bounds=[(0, 1)] * n, method="highs")
    res = solve(unit_eps)
    if res.status == 2 or (res.status == 0 and -res.fun <= MIN_FREE_PROBABILITY):
        return "none", None
    if res.status != 0:
        return "unresolved", f"the linear program on the free mixtures failed ({res.message})"
    # the optimum may sit on a condition's tolerance: a point of the half tolerance is kept when
    # there is one, as the final check measures the same conditions in floating point
    for attempt in (solve(unit_eps / 2), res):
        if attempt.status != 0 or -attempt.fun <= MIN_FREE_PROBABILITY:
            continue
        trial = list(base)
        for f in free:
            trial[f] = np.zeros(len(base[f]))
        for (f, a), p in zip(cols, attempt.x[:-1]):
            trial[f][a] = p
        beliefs, gaps = _assess(tree, trial, supports, eps)
        if gaps.max(initial=0.0) <= eps:
            return "found", (trial, beliefs, float(gaps.max(initial=0.0)))
    return "unresolved", "the free mixtures of the linear program fail the final check"


def _bounds(tree: _Tree, allowed) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds ``(nodes, N)`` of every continuation payoff when each information
    set plays only actions in ``allowed[j]`` (``None``: any action)."""
    n = len(tree.nodes)
    lo, hi = np.zeros((n, tree.n_players)), np.zeros((n, tree.n_players))
    for k in range(n - 1, -1, -1):
        node = tree.nodes[k]
        if isinstance(node, Terminal):
            lo[k] = hi[k] = node.payoffs
        elif isinstance(node, Chance):
            lo[k] = np.asarray(node.probs) @ lo[tree.kids[k]]
            hi[k] = np.asarray(node.probs) @ hi[tree.kids[k]]
        else:
            acts = allowed[tree.node_h[k]]
            kids = tree.kids[k] if acts is None else [tree.kids[k][a] for a in acts]
            lo[k] = lo[kids].min(axis=0)
            hi[k] = hi[kids].max(axis=0)
    return lo, hi


def _dominated(tree: _Tree, allowed, j: int, support, eps: float) -> bool:
    """Whether some action of ``support`` at information set ``j`` is beaten at every node of the
    set, whatever the belief and the later play within ``allowed``, by another action: then no
    assessment with this support is sequentially rational (conditional dominance, as in Porter,
    Nudelman and Shoham 2008, applied node by node)."""
    lo, hi = _bounds(tree, allowed)
    i = tree.owner[j]
    members = tree.members[tree.infosets[j]]
    n_act = len(tree.kids[members[0]])
    for a in support:
        for b in range(n_act):
            if b != a and all(lo[tree.kids[x][b], i] > hi[tree.kids[x][a], i] + eps for x in members):
                return True
    return False


def _support_profiles(tree: _Tree, subsets, eps: float):
    """Support profiles (one list per information set, in order) not ruled out by
    :func:`_dominated`, assigned from the last information set to the first (so the later play
    an information set's check depends on is mostly fixed already; unassigned sets count as
    playing any action, which keeps the test sound)."""
    m = len(subsets)
    allowed: list = [None] * m
    out = []

    def rec(j):
        if j < 0:
            out.append([list(s) for s in allowed])
            return
        for s in subsets[j]:
            allowed[j] = list(s)
            if not _dominated(tree, allowed, j, s, eps):
                rec(j - 1)
        allowed[j] = None
    rec(m - 1)
    return out


def pbe_agent_solve(game: ExtensiveFormGame, tol: float = DEFAULT_TOL,
                    max_support_profiles: int = DEFAULT_MAX_SUPPORT_PROFILES) -> SolverResult:
    """Perfect Bayesian equilibria in behaviour strategies of a small tree with perfect recall,
    mixed and semi-separating ones included, with beliefs at every information set.

    Support enumeration over the agent form (module docstring; McKelvey and McLennan 1996 for
    the polynomial systems, Fudenberg and Tirole 1991, ch. 8 for the equilibrium conditions).

    Parameters
    ----------
    game : ExtensiveFormGame
        Perfect recall; at most :data:`MAX_INFOSETS` information sets of at most
        :data:`MAX_ACTIONS` actions.
    tol : float
        Tolerance of the best-answer comparisons, relative to the tree's payoff spread (no floor,
        plus round-off), so that a positive affine map of the payoffs changes no verdict.
    max_support_profiles : int
        Refuse games with more support profiles than this.

    Returns
    -------
    SolverResult
        Method ``"pbe_agent"``; ``game`` is the reduced normal form, on which each equilibrium is
        certified. ``details`` of each equilibrium: ``behaviour``, ``beliefs`` (infoset ->
        ``{"nodes": {node path: probability}, "status"}``, as for ``pbe``), ``supports``,
        ``sequential_regret`` (the largest gain of a best answer over a support action at any
        information set, given its belief), ``free_mixing`` (True when a free set mixes: one
        point of a continuum), ``consistent`` (True, False or None: whether the beliefs are
        Kreps-Wilson consistent, so that the PBE is a sequential equilibrium, by
        :func:`sim.extensive.consistency.check_consistency`; ``consistency`` holds its reason,
        tremble orders and, where the chosen beliefs are not consistent but those of uniform
        trembles are and support the play, those ``beliefs``), ``path`` and, for signalling games, ``classification``.
        ``complete`` is True when no support profile was left unresolved;
        ``details["unresolved"]`` counts those that were.

    Raises
    ------
    SolverError
        When ``game`` is not a tree, ``tol`` is not in ``[0, 1)``, or the game is larger than
        the bounds.
    GameError
        When the game has imperfect recall.

    Examples
    --------
    Beer-quiche (Cho and Kreps 1987): the two pooling equilibria (and, at the boundary belief
    ``P(weak | unsent breakfast) = 1/2``, the receiver may mix after it).

    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> def sender(t, like):
    ...     return Decision(0, t, ("beer", "quiche"), tuple(
    ...         Decision(1, m, ("duel", "no_duel"), (
    ...             Terminal(((m == like) + 0.0, 1.0 if t == "weak" else 0.0)),
    ...             Terminal(((m == like) + 2.0, 0.0 if t == "weak" else 1.0))))
    ...         for m in ("beer", "quiche")))
    >>> g = ExtensiveFormGame.from_root(("Sender", "Receiver"), Chance(
    ...     ("weak", "strong"), (0.1, 0.9), (sender("weak", "quiche"), sender("strong", "beer"))))
    >>> r = pbe_agent_solve(g)
    >>> sorted((e.details["classification"], e.details["behaviour"]["weak"][0], e.details["free_mixing"])
    ...        for e in r.equilibria), r.complete
    ([('pooling', 0.0, False), ('pooling', 0.0, True), ('pooling', 1.0, False), ('pooling', 1.0, True)], True)
    """
    fn = "pbe_agent_solve()"
    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"{fn}: needs an ExtensiveFormGame; got {type(game).__name__}")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and 0 <= tol < 1):
        raise SolverError(f"{fn}: tol must be a number in [0, 1); got {tol!r}")
    if not isinstance(max_support_profiles, (int, np.integer)) or max_support_profiles < 1:
        raise SolverError(f"{fn}: max_support_profiles must be a positive integer; got {max_support_profiles!r}")
    acts = game.infosets
    if len(acts) > MAX_INFOSETS:
        raise SolverError(f"{fn}: the game has {len(acts)} information sets, more than MAX_INFOSETS={MAX_INFOSETS}; "
                          f"supports are enumerated, so only small trees are solved")
    wide = [h for h, (_, a) in acts.items() if len(a) > MAX_ACTIONS]
    if wide:
        raise SolverError(f"{fn}: information set {wide[0]!r} has {len(acts[wide[0]][1])} actions, more than "
                          f"MAX_ACTIONS={MAX_ACTIONS}")
    count = math.prod(2 ** len(a) - 1 for _, a in acts.values())
    if count > max_support_profiles:
        raise SolverError(f"{fn}: the game has {count} support profiles, more than "
                          f"max_support_profiles={max_support_profiles}; supports are enumerated, so only small "
                          f"trees are solved")
    game.require_perfect_recall(fn)
    tree = _Tree(game)
    # one tolerance for the whole tree, relative to its payoff spread with no floor (an affine map
    # of the payoffs changes no verdict), plus the round-off of payoffs of their magnitude; the
    # spread stands in for 1 only when every payoff is equal (every action is then a best answer)
    eps = max(tol, 1e-12) * tree.scale + ROUNDOFF * (float(np.abs(tree.pays).max()) if len(tree.pays) else 0.0)
    nf = game.reduced_normal_form()
    roles = signalling_roles(game)
    order = list(acts)
    subsets = [[s for k in range(1, len(a) + 1) for s in itertools.combinations(range(len(a)), k)]
               for _, a in acts.values()]
    equilibria, unresolved, checked = [], [], 0
    for supports in _support_profiles(tree, subsets, eps):
        checked += 1
        r = tree.reach(_uniform(tree, supports))
        mixing = [j for j, s in enumerate(supports) if len(s) > 1]
        pinned = [j for j in mixing if r[tree.members[order[j]], tree.owner[j]].sum() > 0]
        free = [j for j in mixing if j not in pinned]
        solutions, complete = _pinned_solutions(tree, supports, pinned, max(tol, 1e-9), eps)
        if not complete:
            unresolved.append((supports, "pinned agents' conditions degenerate"))
        for sol in solutions:
            sigma = _uniform(tree, supports)
            for j, p in zip(pinned, sol):
                sigma[j] = p
            status, found = _free_mixtures(tree, sigma, supports, free, eps)
            if status == "unresolved":
                unresolved.append((supports, found))
                continue
            if status == "none":
                continue
            equilibria.append(_equilibrium(game, tree, nf, roles, supports, bool(free), eps, *found))
    return SolverResult("pbe_agent", nf, tuple(equilibria), {"tol": tol, "max_support_profiles": max_support_profiles},
                        complete=not unresolved,
                        details={"support_profiles": count, "profiles_checked": checked,
                                 "unresolved": len(unresolved),
                                 "unresolved_examples": [
                                     {"supports": {h: [acts[h][1][a] for a in s] for h, s in zip(order, sup)},
                                      "why": why} for sup, why in unresolved[:5]],
                                 "infosets": {h: {"player": game.players[p], "actions": list(a)}
                                              for h, (p, a) in acts.items()}})


def _equilibrium(game, tree: _Tree, nf, roles, supports, free_mixing, eps, sigma, beliefs, gap):
    order = tree.infosets
    behaviour = {h: np.asarray(sigma[j], float) for j, h in enumerate(order)}
    out_beliefs = {}
    for h in order:
        mu, status = beliefs[h]
        labels = [path_text(tree.paths[x]) for x in tree.members[h]]
        out_beliefs[h] = {"nodes": dict(zip(labels, map(float, mu))), "status": status}
    details = {
        "behaviour": {h: [float(x) for x in behaviour[h]] for h in order},
        "beliefs": out_beliefs,
        "supports": {h: [game.infosets[h][1][a] for a in supports[j]] for j, h in enumerate(order)},
        "sequential_regret": max(0.0, gap),
        "free_mixing": free_mixing,
        "path": equilibrium_path(game, behaviour),
        "classification": None,
    }
    consistency = solver_consistency(game, details["behaviour"], out_beliefs)
    if consistency.consistent is False:
        # The chosen beliefs (largest margin, one set at a time) may disagree where consistent
        # ones would also do: those of uniform trembles are kept when they support the play.
        trembled = tremble_beliefs(game, details["behaviour"])
        v = tree.values(sigma)
        ok = True
        for j, h in enumerate(order):
            if out_beliefs[h]["status"] != OFF_PATH_CHOSEN:
                continue
            i, members = tree.owner[j], tree.members[h]
            u = np.array([[v[c, i] for c in tree.kids[x]] for x in members])
            e = np.array([trembled[h][path_text(tree.paths[x])] for x in members]) @ u
            ok = ok and e.max() - min(e[a] for a in supports[j]) <= eps
        if ok:
            other = {h: ({"nodes": dict(trembled[h]), "status": b["status"]} if b["status"] == OFF_PATH_CHOSEN else b)
                     for h, b in out_beliefs.items()}
            consistency = solver_consistency(game, details["behaviour"], other, beliefs=other)
    details.update(consistent=consistency.consistent, consistency=consistency.to_dict())
    if roles is not None:
        sender, receiver, types = roles
        sent = {t: game.infosets[h][1][supports[order.index(h)][0]] if len(supports[order.index(h)]) == 1 else None
                for t, h in types}
        if all(m is not None for m in sent.values()):
            details["classification"] = classify_messages(sent)
        else:
            live = [behaviour[h] for _, h in types]
            pooled = all(np.allclose(p, live[0], atol=1e-9) for p in live)
            details["classification"] = "pooling" if pooled else "semi-separating/hybrid"
        details.update(sender=game.players[sender], receiver=game.players[receiver])
    return Equilibrium.certify(nf, mixed_from_behaviour(game, behaviour), **details)
