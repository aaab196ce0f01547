"""Perfect Bayesian equilibria in mixed strategies of two-stage signalling games.

A *two-stage signalling game*: chance draws a type ``t`` with prior ``p_t`` at the root; the
sender (one player, one information set per type) sends a message ``m``; the receiver (another
player) moves at an information set containing the node ``(t, m)`` and its move ends the game.
Bluffing and partial revelation are mixed, semi-separating equilibria, which a search over pure
profiles misses.

Algorithm (support enumeration, as for bimatrix games in Nisan et al. 2007, section 3.3, applied
to the PBE conditions of Fudenberg and Tirole 1991, section 8.2.1). For every choice of a
support ``S_t`` (messages sent with positive probability) per type and a support ``R_h``
(actions played with positive probability) per receiver information set ``h``:

1. The receiver's conditions are linear in the sender's mixing ``sigma``. At an information set
   on the path (some node ``(t, m)`` with ``p_t > 0`` and ``m in S_t``) the belief is Bayes'
   ``mu(t, m) ~ p_t sigma_t(m)``, so "every action of ``R_h`` earns the same and no other
   earns more" reads ``sum_x p_t sigma_t(m) (u_R(x, b) - u_R(x, a_0)) = 0`` for ``b in R_h``
   and ``<= 0`` otherwise: one linear program over ``sigma`` (with ``sigma_t(m) >= s`` on the
   supports, maximising ``s``, so the supports are exact).
2. The sender's conditions are linear in the receiver's mixing ``rho``: each type's payoff
   ``U_t(m) = sum_a rho_h(a) u_S(t, m, a)`` is equal on ``S_t`` and no larger off it: a second
   linear program, over ``rho``.
3. At an information set off the path the belief is free: a linear feasibility problem over the
   simplex of its nodes asks for a belief under which every action of ``R_h`` is a best answer
   (nodes of types with prior 0 get belief 0, so the belief stays consistent).

The conditions decouple, so the equilibria with given supports form a product of two polytopes
(times the off-path belief polytopes); each feasible support profile gives one equilibrium, the
max-margin point of each program, with ``details["ranges"]`` (each probability's range over the
closure of that set) and ``continuum`` (some range is not a point; a pure equilibrium can also be
an end point of another support profile's continuum). Every PBE lies in one of the listed
sets: the list is complete.

Consistency (Kreps and Wilson 1982). In a two-stage signalling game each node ``(t, m)`` is
reached only through the sender's move at type ``t``, and the trembles ``sigma_t(m)`` are free
per node, so every assessment with Bayes' beliefs on path and any belief off path (zero on
prior-0 types) is the limit of fully mixed profiles: every PBE here is a sequential equilibrium
(Fudenberg and Tirole 1991, section 8.3). Each equilibrium carries ``details["consistency"]``:
the beliefs of such a trembled profile at ``delta = 1e-6``, compared with the reported ones.

Each equilibrium is classified by what the receiver learns: ``"pooling"`` (all types with a
positive prior send the same message distribution: the posterior after every message sent is
the prior), ``"separating"`` (no message is sent by two types) or ``"semi-separating/hybrid"``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from sim.errors import SolverError
from sim.game import spread_tolerances
from sim.extensive.nodes import Chance, Decision, Terminal, path_text
from sim.extensive.reduced import mixed_from_behaviour
from sim.extensive.spe import equilibrium_path
from sim.extensive.tree import ExtensiveFormGame
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9
DEFAULT_MAX_SUPPORT_PROFILES = 200_000
#: Smallest probability a strategy puts on each action of its support.
MIN_PROBABILITY = 1e-7
ON_PATH = "on path"
OFF_PATH_CHOSEN = "off path, chosen"
TREMBLE = 1e-6


class SignallingGame:
    """The arrays of a two-stage signalling game (see the module docstring).

    ``types[k] = (name, prior, sender infoset)``; ``messages`` the sender's actions; each
    receiver information set ``h`` has ``members[h]`` = list of ``(type index, message index)``
    and ``actions[h]``; ``u_s[t, m]`` and ``u_r[t, m]`` are the sender's and receiver's payoffs
    after each receiver action at node ``(t, m)``; ``infoset_of[t, m]`` names its set.
    """

    def __init__(self, game: ExtensiveFormGame):
        roles = _roles(game)
        if roles is None:
            raise SolverError(
                "pbe_mixed_solve(): needs a two-stage signalling game (chance draws a type at the root, one "
                "player moves at one information set per type, another player answers and the game ends); "
                f"got {game!r}")
        self.game = game
        self.sender, self.receiver = roles
        root = game.root
        self.types = [(o, p, c.infoset) for o, p, c in zip(root.outcomes, root.probs, root.children)]
        self.messages = root.children[0].actions
        self.infoset_of, self.u_s, self.u_r, self.members = {}, {}, {}, {}
        self.receiver_infosets: list[str] = []
        for t, c in enumerate(root.children):
            for m, node in enumerate(c.children):
                h = node.infoset
                if h not in self.members:
                    self.members[h] = []
                    self.receiver_infosets.append(h)
                self.members[h].append((t, m))
                self.infoset_of[t, m] = h
                self.u_s[t, m] = np.array([x.payoffs[self.sender] for x in node.children])
                self.u_r[t, m] = np.array([x.payoffs[self.receiver] for x in node.children])
        self.actions = {h: game.infosets[h][1] for h in self.receiver_infosets}
        self.prior = np.array([p for _, p, _ in self.types])


def _roles(game: ExtensiveFormGame):
    root = game.root
    if not isinstance(root, Chance) or not all(isinstance(c, Decision) for c in root.children):
        return None
    if len({c.player for c in root.children}) != 1 or len({c.infoset for c in root.children}) != len(root.children):
        return None
    if len({c.actions for c in root.children}) != 1:
        return None
    nxt = [g for c in root.children for g in c.children]
    if not all(isinstance(g, Decision) for g in nxt) or len({g.player for g in nxt}) != 1:
        return None
    if nxt[0].player == root.children[0].player:
        return None
    if not all(isinstance(x, Terminal) for g in nxt for x in g.children):
        return None
    return root.children[0].player, nxt[0].player


def _subsets(n: int):
    return [s for k in range(1, n + 1) for s in itertools.combinations(range(n), k)]


def _lp_max_margin(n_vars, eq_rows, ineq_rows, groups, support_cols, tol):
    """Maximise ``s`` s.t. ``eq_rows @ x = 0``, ``ineq_rows @ x <= 0``, each group sums to 1,
    ``x[c] >= s`` for ``c in support_cols``, ``x >= 0``. Returns ``x`` or None."""
    from scipy.optimize import linprog

    c = np.zeros(n_vars + 1)
    c[-1] = -1.0
    a_eq = [np.append(r, 0.0) for r in eq_rows]
    b_eq = [0.0] * len(eq_rows)
    for g in groups:
        row = np.zeros(n_vars + 1)
        row[list(g)] = 1.0
        a_eq.append(row)
        b_eq.append(1.0)
    a_ub = [np.append(r, 0.0) for r in ineq_rows]
    for col in support_cols:
        row = np.zeros(n_vars + 1)
        row[col], row[-1] = -1.0, 1.0
        a_ub.append(row)
    res = linprog(c, A_ub=np.array(a_ub) if a_ub else None, b_ub=np.zeros(len(a_ub)) if a_ub else None,
                  A_eq=np.array(a_eq), b_eq=b_eq, bounds=[(0, None)] * n_vars + [(None, 1.0)], method="highs")
    if res.status != 0 or -res.fun < MIN_PROBABILITY:
        return None
    return res.x[:n_vars]


def _ranges(n_vars, eq_rows, ineq_rows, groups, zero_cols):
    """Each variable's range over the closed set of :func:`_lp_max_margin` (support margin 0)."""
    from scipy.optimize import linprog

    a_eq = [np.asarray(r, float) for r in eq_rows]
    b_eq = [0.0] * len(eq_rows)
    for g in groups:
        row = np.zeros(n_vars)
        row[list(g)] = 1.0
        a_eq.append(row)
        b_eq.append(1.0)
    bounds = [(0.0, 0.0) if k in zero_cols else (0.0, None) for k in range(n_vars)]
    out = []
    for k in range(n_vars):
        lohi = []
        for sign in (1.0, -1.0):
            obj = np.zeros(n_vars)
            obj[k] = sign
            r = linprog(obj, A_ub=np.array(ineq_rows) if len(ineq_rows) else None,
                        b_ub=np.zeros(len(ineq_rows)) if len(ineq_rows) else None,
                        A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs")
            lohi.append(float(np.clip(sign * r.fun, 0.0, 1.0)) + 0.0 if r.status == 0 else math.nan)
        out.append(tuple(lohi))
    return out


def _receiver_rows(g: SignallingGame, h: str, support, weight_of, n_vars, eps):
    """Rows of "every action of ``support`` is a best answer at ``h``" in the node weights:
    ``weight_of(t, m)`` gives the coefficient vector (length ``n_vars``) of node ``(t, m)``'s
    weight. Returns (equalities, inequalities <= 0)."""
    a0 = support[0]
    eq, ineq = [], []
    for b in range(len(g.actions[h])):
        if b == a0:
            continue
        row = np.zeros(n_vars)
        for t, m in g.members[h]:
            row += weight_of(t, m) * (g.u_r[t, m][b] - g.u_r[t, m][a0])
        (eq if b in support else ineq).append(row)
    return eq, ineq


def _off_path_belief(g: SignallingGame, h: str, support, tol):
    """A belief over ``h``'s nodes making every action of ``support`` a best answer (max margin over
    the others), with each node's range; None when there is none."""
    nodes = g.members[h]
    n = len(nodes)
    allowed = [g.prior[t] > 0 for t, _ in nodes]
    if not any(allowed):
        allowed = [True] * n
    zero = {k for k in range(n) if not allowed[k]}
    eye = np.eye(n)
    eq, ineq = _receiver_rows(g, h, support, lambda t, m: eye[nodes.index((t, m))], n, tol)
    from scipy.optimize import linprog

    # Maximise the margin s of the actions outside the support: ineq @ mu + s <= 0 (s <= 1).
    c = np.zeros(n + 1)
    c[-1] = -1.0
    a_ub = np.array([np.append(r, 1.0) for r in ineq]) if ineq else None
    a_eq = np.array([np.append(r, 0.0) for r in eq] + [np.append(np.ones(n), 0.0)])
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(len(ineq)) if ineq else None, A_eq=a_eq,
                  b_eq=[0.0] * len(eq) + [1.0],
                  bounds=[(0.0, 0.0) if k in zero else (0.0, None) for k in range(n)] + [(None, 1.0)],
                  method="highs")
    if res.status != 0 or -res.fun < -tol:
        return None
    mu = np.clip(res.x[:n], 0.0, None)
    mu /= mu.sum()
    ranges = _ranges(n, eq, ineq, [range(n)], zero)
    return mu, ranges


def _classify(g: SignallingGame, sigma) -> str:
    live = [t for t in range(len(g.types)) if g.prior[t] > 0]
    if all(np.allclose(sigma[t], sigma[live[0]], atol=1e-9) for t in live):
        return "pooling"
    sent = [{m for m in range(len(g.messages)) if sigma[t][m] > 0} for t in live]
    if all(not (a & b) for a, b in itertools.combinations(sent, 2)):
        return "separating"
    return "semi-separating/hybrid"


def _consistency(g: SignallingGame, sigma, beliefs) -> dict:
    """Beliefs of a fully mixed sender profile near ``sigma`` (Kreps and Wilson 1982): off-path
    nodes with belief ``mu`` get ``delta * mu / p_t``, every other unsent message ``delta ** 2``."""
    eps = {}
    for h in g.receiver_infosets:
        b = beliefs[h]
        for t, m in g.members[h]:
            if sigma[t][m] > 0:
                continue
            mu = b["nodes"][path_text((g.types[t][0], g.messages[m]))]
            off = b["status"] != ON_PATH
            eps[t, m] = TREMBLE * mu / g.prior[t] if off and mu > 0 and g.prior[t] > 0 else TREMBLE ** 2
    gap = 0.0
    for h in g.receiver_infosets:
        w = np.array([g.prior[t] * ((1 - TREMBLE) * sigma[t][m] + eps.get((t, m), 0.0))
                      for t, m in g.members[h]])
        if w.sum() <= 0:
            continue
        want = np.array([beliefs[h]["nodes"][path_text((g.types[t][0], g.messages[m]))] for t, m in g.members[h]])
        gap = max(gap, float(np.abs(w / w.sum() - want).max()))
    return {"sequential": gap <= 1e-3, "max_gap": gap, "delta": TREMBLE}


def _best_answers(g: SignallingGame, h: str, allowed_types) -> list[int]:
    """Receiver actions at ``h`` that are a best answer to some belief on the nodes of the allowed types."""
    from scipy.optimize import linprog

    nodes = [x for x in g.members[h] if x[0] in allowed_types]
    if not nodes:
        return []
    u = np.array([g.u_r[x] for x in nodes])  # nodes x actions
    out = []
    for a in range(u.shape[1]):
        gaps = (u - u[:, [a]]).T  # rows b: (u_b - u_a) . mu <= 0
        r = linprog(np.zeros(len(nodes)), A_ub=gaps, b_ub=np.zeros(len(gaps)), A_eq=np.ones((1, len(nodes))),
                    b_eq=[1.0], bounds=[(0, None)] * len(nodes), method="highs")
        if r.status == 0:
            out.append(a)
    return out


def intuitive_criterion(g: SignallingGame, sigma, rho, tol: float = 1e-9) -> dict:
    """Cho and Kreps' (1987, section IV) intuitive criterion for an equilibrium of a signalling game.

    For each message no type sends: the types for which it is *equilibrium dominated* (even the
    receiver's most favourable best answer, to any belief, pays less than the equilibrium) are
    struck; if some remaining type gets more than its equilibrium payoff from every best answer to
    beliefs on the remaining types, the equilibrium fails. Mixed best answers are mixtures of pure
    ones, so the extremes over pure best answers decide. Returns ``{"passes", "failures"}``, each
    failure ``{"message", "excluded", "breaking_types"}``.
    """
    T, M = len(g.types), len(g.messages)
    live = [t for t in range(T) if g.prior[t] > 0]

    def pay(t, m, resp):
        return float(resp @ g.u_s[t, m])
    star = {t: max(pay(t, m, rho[g.infoset_of[t, m]]) for m in range(M) if sigma[t][m] > 0) for t in live}
    failures = []
    for m in range(M):
        if any(sigma[t][m] > 0 for t in live):
            continue
        hs = {g.infoset_of[t, m] for t in live}
        if len(hs) != 1:  # the receiver does not see the message as one information set
            continue
        h = hs.pop()
        every = _best_answers(g, h, set(live))
        excluded = [t for t in live if max(g.u_s[t, m][a] for a in every) < star[t] - tol]
        kept = [t for t in live if t not in excluded]
        answers = _best_answers(g, h, set(kept))
        breaking = [t for t in kept if answers and min(g.u_s[t, m][a] for a in answers) > star[t] + tol]
        if breaking:
            failures.append({"message": g.messages[m], "excluded": [g.types[t][0] for t in excluded],
                             "breaking_types": [g.types[t][0] for t in breaking]})
    return {"passes": not failures, "failures": failures}


def pbe_check(game: ExtensiveFormGame, behaviour, tol: float = 1e-7) -> dict:
    """Whether a behaviour profile of a two-stage signalling game is (the strategy part of) a PBE.

    Every sender type must play only best replies; at a receiver information set on the path the
    belief is Bayes' and the receiver's support must be best answers to it; off the path some
    belief (zero on prior-0 types) must make the support best answers. ``tol`` is relative to
    the payoff spread. Returns ``{"pbe": bool, "reason": str, "beliefs": infoset -> node -> prob}``.

    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> R = lambda a, b: Decision(1, "m", ("x", "y"), (Terminal((1.0, a)), Terminal((0.0, b))))
    >>> g = ExtensiveFormGame.from_root(("S", "R"), Chance(("t1", "t2"), (0.5, 0.5), (
    ...     Decision(0, "t1", ("m",), (R(1.0, 0.0),)), Decision(0, "t2", ("m",), (R(0.0, 2.0),)))))
    >>> pbe_check(g, {"t1": [1.0], "t2": [1.0], "m": [1.0, 0.0]})["reason"]
    "receiver at 'm': action 'x' is not a best answer to its belief"
    """
    g = SignallingGame(game)
    pays = np.array([x for k in g.u_s for x in (*g.u_s[k], *g.u_r[k])])
    eps = spread_tolerances(pays, tol)
    T, M = len(g.types), len(g.messages)
    sigma = [np.asarray(behaviour[g.types[t][2]], float) for t in range(T)]
    rho = {h: np.asarray(behaviour[h], float) for h in g.receiver_infosets}
    beliefs = {}

    def verdict(ok, reason):
        return {"pbe": ok, "reason": reason, "beliefs": beliefs}
    for t in range(T):
        u = np.array([rho[g.infoset_of[t, m]] @ g.u_s[t, m] for m in range(M)])
        bad = [m for m in range(M) if sigma[t][m] > 1e-9 and u[m] < u.max() - eps]
        if bad:
            return verdict(False, f"sender type {g.types[t][0]!r}: message {g.messages[bad[0]]!r} is not a best reply")
    for h in g.receiver_infosets:
        w = np.array([g.prior[t] * sigma[t][m] for t, m in g.members[h]])
        support = tuple(int(a) for a in np.flatnonzero(rho[h] > 1e-9))
        labels = [path_text((g.types[t][0], g.messages[m])) for t, m in g.members[h]]
        if w.sum() > 1e-12:
            mu = w / w.sum()
            e = mu @ np.array([g.u_r[x] for x in g.members[h]])
            beliefs[h] = dict(zip(labels, map(float, mu)))
            bad = [a for a in support if e[a] < e.max() - eps]
            if bad:
                return verdict(False, f"receiver at {h!r}: action {g.actions[h][bad[0]]!r} is not a best answer "
                                      f"to its belief")
        else:
            found = _off_path_belief(g, h, support, eps)
            if found is None:
                return verdict(False, f"receiver at {h!r}: no belief makes {[g.actions[h][a] for a in support]} "
                                      f"best answers")
            beliefs[h] = dict(zip(labels, map(float, found[0])))
    return verdict(True, "")


def pbe_mixed_solve(game: ExtensiveFormGame, tol: float = DEFAULT_TOL,
                    max_support_profiles: int = DEFAULT_MAX_SUPPORT_PROFILES) -> SolverResult:
    """Perfect Bayesian equilibria, mixed and semi-separating ones included, of a two-stage
    signalling game, with beliefs and a Kreps-Wilson consistency check.

    Support enumeration with two linear programs per support profile and one per off-path
    information set (module docstring; Fudenberg and Tirole 1991, sections 8.2-8.3).

    Parameters
    ----------
    game : ExtensiveFormGame
        A two-stage signalling game (otherwise ``SolverError``).
    tol : float
        Tolerance of the best-answer comparisons at free beliefs, relative to the payoff spread.
    max_support_profiles : int
        Refuse games with more support profiles (sender supports per type times receiver
        supports per information set) than this.

    Returns
    -------
    SolverResult
        Method ``"pbe_mixed"``; ``game`` is the reduced normal form, on which each equilibrium is
        certified. One equilibrium per feasible support profile, with ``details``: ``behaviour``,
        ``beliefs`` (as for ``pbe``), ``path``, ``messages`` (type -> {message: probability}),
        ``responses`` (receiver information set -> {action: probability}), ``classification``,
        ``sender``, ``receiver``, ``supports``, ``ranges`` (infoset -> per action
        ``[low, high]`` over the set of equilibria with these supports and its boundary),
        ``continuum``, ``consistency`` (``{"sequential", "max_gap", "delta"}``) and
        ``intuitive_criterion`` (:func:`intuitive_criterion`).
        ``complete`` is True: every PBE has the supports of a listed one.

    Examples
    --------
    Beer-quiche (Cho and Kreps 1987): the two pooling equilibria; after the unsent breakfast the
    receiver duels, or mixes with duel probability at least 1/2 when ``P(weak) = 1/2`` exactly.

    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> def sender(t, like):
    ...     return Decision(0, t, ("beer", "quiche"), tuple(
    ...         Decision(1, m, ("duel", "no_duel"), (
    ...             Terminal(((m == like) + 0.0, 1.0 if t == "weak" else 0.0)),
    ...             Terminal(((m == like) + 2.0, 0.0 if t == "weak" else 1.0))))
    ...         for m in ("beer", "quiche")))
    >>> g = ExtensiveFormGame.from_root(("Sender", "Receiver"), Chance(
    ...     ("weak", "strong"), (0.1, 0.9), (sender("weak", "quiche"), sender("strong", "beer"))))
    >>> r = pbe_mixed_solve(g)
    >>> sorted((e.details["classification"], e.details["messages"]["weak"]["beer"], e.details["continuum"],
    ...         e.details["intuitive_criterion"]["passes"]) for e in r.equilibria)
    [('pooling', 0.0, False, False), ('pooling', 0.0, True, False), ('pooling', 1.0, False, True), ('pooling', 1.0, True, True)]
    """
    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"pbe_mixed_solve(): needs an ExtensiveFormGame; got {type(game).__name__}")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise SolverError(f"pbe_mixed_solve(): tol must be a finite non-negative number; got {tol!r}")
    g = SignallingGame(game)
    T, M = len(g.types), len(g.messages)
    H = g.receiver_infosets
    count = (2 ** M - 1) ** T * math.prod(2 ** len(g.actions[h]) - 1 for h in H)
    if count > max_support_profiles:
        raise SolverError(f"pbe_mixed_solve(): the game has {count} support profiles, more than "
                          f"max_support_profiles={max_support_profiles}; supports are enumerated, so only small "
                          f"games are solved")
    pays = np.array([x for k in g.u_s for x in (*g.u_s[k], *g.u_r[k])])
    eps = spread_tolerances(pays, tol)
    nf = game.reduced_normal_form()
    # Variable layout: sender sigma[t, m] at t * M + m; receiver rho[h, a] at offsets per h.
    n_s = T * M
    r_off = {}
    k = 0
    for h in H:
        r_off[h] = k
        k += len(g.actions[h])
    n_r = k
    eye_s = np.eye(n_s)
    off_cache: dict = {}
    equilibria = []
    for S in itertools.product(_subsets(M), repeat=T):
        on = {h: any(g.prior[t] > 0 and m in S[t] for t, m in g.members[h]) for h in H}
        choices_per_h = []
        for h in H:
            opts = []
            for R in _subsets(len(g.actions[h])):
                if not on[h]:
                    key = (h, R)
                    if key not in off_cache:
                        off_cache[key] = _off_path_belief(g, h, R, eps)
                    if off_cache[key] is None:
                        continue
                opts.append(R)
            choices_per_h.append(opts)
        s_cols = [t * M + m for t in range(T) for m in S[t]]
        s_zero = {t * M + m for t in range(T) for m in range(M) if m not in S[t]}
        groups_s = [range(t * M, (t + 1) * M) for t in range(T)]
        sender_cache: dict = {}
        for Rs in itertools.product(*choices_per_h):
            R = dict(zip(H, Rs))
            key = tuple(R[h] for h in H if on[h])
            if key not in sender_cache:
                eq, ineq = [], []
                for h in H:
                    if on[h]:
                        e, i = _receiver_rows(g, h, R[h], lambda t, m: g.prior[t] * eye_s[t * M + m], n_s, eps)
                        eq += e
                        ineq += i
                zero_rows = [eye_s[c] for c in sorted(s_zero)]
                sigma = _lp_max_margin(n_s, eq + zero_rows, ineq, groups_s, s_cols, eps)
                sender_cache[key] = None if sigma is None else (sigma, (eq + zero_rows, ineq))
            if sender_cache[key] is None:
                continue
            sigma_x, sender_sys = sender_cache[key]
            # Receiver mixing: each type indifferent on S_t, no better elsewhere.
            eq, ineq = [], []
            r_zero = {r_off[h] + a for h in H for a in range(len(g.actions[h])) if a not in R[h]}
            r_cols = [r_off[h] + a for h in H for a in R[h]]

            def payoff_row(t, m):
                row = np.zeros(n_r)
                h = g.infoset_of[t, m]
                row[r_off[h]:r_off[h] + len(g.actions[h])] = g.u_s[t, m]
                return row
            for t in range(T):
                m0 = S[t][0]
                for m in range(M):
                    if m != m0:
                        (eq if m in S[t] else ineq).append(payoff_row(t, m) - payoff_row(t, m0))
            eye_r = np.eye(n_r)
            zero_rows = [eye_r[c] for c in sorted(r_zero)]
            groups_r = [range(r_off[h], r_off[h] + len(g.actions[h])) for h in H]
            rho_x = _lp_max_margin(n_r, eq + zero_rows, ineq, groups_r, r_cols, eps)
            if rho_x is None:
                continue
            equilibria.append(_equilibrium(g, nf, S, R, on, sigma_x, rho_x, r_off, off_cache,
                                           sender_sys, (eq + zero_rows, ineq), groups_s, groups_r, s_zero, r_zero))
    return SolverResult("pbe_mixed", nf, tuple(equilibria),
                        {"tol": tol, "max_support_profiles": max_support_profiles}, complete=True,
                        details={"support_profiles": count,
                                 "signalling": {"sender": game.players[g.sender], "receiver": game.players[g.receiver],
                                                "types": [t for t, _, _ in g.types], "messages": list(g.messages)}})


def _equilibrium(g, nf, S, R, on, sigma_x, rho_x, r_off, off_cache, sender_sys, receiver_sys,
                 groups_s, groups_r, s_zero, r_zero):
    T, M = len(g.types), len(g.messages)
    game = g.game
    sigma = [np.clip(sigma_x[t * M:(t + 1) * M], 0.0, None) for t in range(T)]
    sigma = [s / s.sum() for s in sigma]
    behaviour = {g.types[t][2]: sigma[t] for t in range(T)}
    for h in g.receiver_infosets:
        rho = np.clip(rho_x[r_off[h]:r_off[h] + len(g.actions[h])], 0.0, None)
        behaviour[h] = rho / rho.sum()
    beliefs = {}
    for h in g.receiver_infosets:
        labels = [path_text((g.types[t][0], g.messages[m])) for t, m in g.members[h]]
        if on[h]:
            w = np.array([g.prior[t] * sigma[t][m] for t, m in g.members[h]])
            beliefs[h] = {"nodes": dict(zip(labels, map(float, w / w.sum()))), "status": ON_PATH}
        else:
            mu, ranges = off_cache[h, R[h]]
            beliefs[h] = {"nodes": dict(zip(labels, map(float, mu))), "status": OFF_PATH_CHOSEN,
                          "bounds": {lab: list(b) for lab, b in zip(labels, ranges)}}
    for t, (name, _, h) in enumerate(g.types):  # singleton sender sets
        beliefs[h] = {"nodes": {path_text((name,)): 1.0}, "status": ON_PATH if g.prior[t] > 0 else "off path, Bayes"}
    s_ranges = _ranges(len(sigma_x), *sender_sys, groups_s, s_zero)
    r_ranges = _ranges(len(rho_x), *receiver_sys, groups_r, r_zero)
    ranges = {g.types[t][2]: [list(s_ranges[t * M + m]) for m in range(M)] for t in range(T)}
    for h in g.receiver_infosets:
        ranges[h] = [list(r_ranges[r_off[h] + a]) for a in range(len(g.actions[h]))]
    continuum = any(hi - lo > 1e-7 for rs in ranges.values() for lo, hi in rs)
    order = list(game.infosets)
    details = {
        "behaviour": {h: [float(x) for x in behaviour[h]] for h in order},
        "beliefs": {h: beliefs[h] for h in order},
        "path": equilibrium_path(game, behaviour),
        "messages": {g.types[t][0]: {m: float(p) for m, p in zip(g.messages, sigma[t])} for t in range(T)},
        "responses": {h: {a: float(p) for a, p in zip(g.actions[h], behaviour[h])} for h in g.receiver_infosets},
        "classification": _classify(g, sigma),
        "sender": game.players[g.sender], "receiver": game.players[g.receiver],
        "supports": {**{g.types[t][2]: [g.messages[m] for m in S[t]] for t in range(T)},
                     **{h: [g.actions[h][a] for a in R[h]] for h in g.receiver_infosets}},
        "ranges": ranges,
        "continuum": continuum,
        "consistency": _consistency(g, sigma, beliefs),
        "intuitive_criterion": intuitive_criterion(g, sigma, behaviour),
    }
    return Equilibrium.certify(nf, mixed_from_behaviour(game, behaviour), **details)
