"""Kreps-Wilson consistency of an assessment: are its beliefs limits of Bayes' beliefs under fully
mixed behaviour converging to its strategies?

An assessment ``(sigma, mu)`` is *consistent* (Kreps and Wilson 1982) when there are fully mixed
behaviour profiles ``sigma^n -> sigma`` whose Bayes' beliefs ``mu^n`` converge to ``mu``; a
sequentially rational consistent assessment is a *sequential equilibrium*. A perfect Bayesian
equilibrium (Fudenberg and Tirole 1991, ch. 8) chooses beliefs off the path freely at each
information set; consistency ties them together (after one deviation, two later information sets
must weigh its histories alike).

Decision procedure. It suffices to look at trembles of the form ``sigma^t(a) = c(a) exp(-k(a) t)``
(``t -> infinity``) on every action ``a`` that ``sigma`` does not play (order ``k(a) > 0``,
constant ``c(a) > 0``), the played actions keeping their probabilities: a node ``x`` is then
reached with probability ``C(x) exp(-K(x) t)``, where ``K(x)`` sums the orders of the unplayed
actions on its path and ``log C(x)`` the logarithms of the chance probabilities, played
probabilities and constants. The limit belief at an information set puts weight only on its nodes
of least order ``K``, in proportion to ``C``. So ``mu`` is consistent iff

1. (orders) some ``k > 0`` makes ``K(y) = K(x)`` for nodes ``x, y`` of one set both believed
   possible, and ``K(z) > K(x)`` for a node ``z`` believed impossible; and
2. (constants) the linear system ``log C(y) - log C(x) = log mu(y) - log mu(x)`` (over the same
   pairs) has a solution in the logarithms of the constants.

Sufficiency is the construction; necessity holds because, were the homogeneous system 1 without
a solution, Motzkin's transposition theorem would give non-negative weights ``y, z`` (not all
zero) and ``w`` with ``y + B'z + A'w = 0``, and along any converging sequence of fully mixed
profiles the left side evaluated at the negated log probabilities tends to ``+infinity`` while the
right side stays bounded; and the right sides of system 2 are limits of vectors in the (closed)
column space of its matrix. This is the linear characterisation of consistency of Kreps and
Wilson (1982, the "labelling" of Lemma A1) and Perea y Monsuwe, Jansen and Peters (1997,
"Characterization of consistent assessments in extensive form games", GEB 21); Kohlberg and Reny
(1997) give the equivalent one by relative probabilities.

System 1 has small integer coefficients: it is decided by a linear program whose answer is
certified in exact rational arithmetic, either by the orders themselves or by a Motzkin
certificate of infeasibility (``None``, undecided, when neither certificate verifies). System 2
holds up to the tolerance ``tol`` of the beliefs (least squares over the logarithms).

In two-stage signalling games (types by chance, a message, a response) each response set
follows one message, every type's history to it has its own unplayed action, and so every belief
is consistent (Fudenberg and Tirole 1991, section 8.3: there a PBE is a sequential equilibrium);
the check returns True for every PBE of such a game, as the tests verify.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from sim.errors import SolverError
from sim.extensive.nodes import Decision, Terminal, path_text

#: Probabilities at or below this are "not played" (actions) or "believed impossible" (nodes).
SUPPORT_TOL = 1e-9
#: Tolerance on the logarithms of belief ratios (system 2).
DEFAULT_TOL = 1e-6


@dataclass(frozen=True)
class Consistency:
    """Whether an assessment is consistent, why, and the certificate.

    ``consistent`` is True, False or None (undecided, ``reason`` says why). When True, ``orders``
    gives each unplayed action's tremble order (``infoset -> {action: order}``, integers) of a
    sequence of fully mixed profiles whose beliefs converge to the assessment's.
    """

    consistent: bool | None
    reason: str
    orders: dict = field(default_factory=dict)
    #: The beliefs the verdict is about, when not the assessment's own (a solver's consistent
    #: alternative: infoset -> ``{"nodes": ..., "status": ...}``); empty otherwise.
    beliefs: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {"consistent": self.consistent, "reason": self.reason, "orders": self.orders}
        if self.beliefs:
            out["beliefs"] = self.beliefs
        return out


def _paths(game):
    """Each decision node's information set, path text and moves: ``("chance", prob)`` or
    ``("act", infoset, action index)`` for every move on the way to it."""
    out = []

    def rec(node, path, moves):
        if isinstance(node, Terminal):
            return
        if isinstance(node, Decision):
            out.append((node.infoset, path_text(path), moves))
            for k, (a, c) in enumerate(zip(node.actions, node.children)):
                rec(c, (*path, a), (*moves, ("act", node.infoset, k)))
        else:
            for o, p, c in zip(node.outcomes, node.probs, node.children):
                rec(c, (*path, o), (*moves, ("chance", float(p))))
    rec(game.root, (), ())
    return out


def _exact(rows):
    return [[Fraction(int(v)) for v in r] for r in rows] if rows else []


def _orders(a_rows, b_rows, m):
    """Orders ``k >= 1`` with ``A k = 0`` and ``B k >= 1`` (system 1, homogeneous, scaled), as
    integers, ``"infeasible"`` with a verified Motzkin certificate, or None (undecided)."""
    from scipy.optimize import linprog

    if m == 0:
        return [] if not b_rows else "infeasible"  # B rows with no variable are 0 > 0: impossible
    a = np.array(a_rows, float).reshape(-1, m)
    b = np.array(b_rows, float).reshape(-1, m)
    res = linprog(np.ones(m), A_ub=-b if len(b) else None, b_ub=-np.ones(len(b)) if len(b) else None,
                  A_eq=a if len(a) else None, b_eq=np.zeros(len(a)) if len(a) else None,
                  bounds=[(1, None)] * m, method="highs")
    if res.status == 0:
        for den in (1, 2, 6, 12, 60, 840, 10**6):
            k = [Fraction(x).limit_denominator(den) for x in res.x]
            if (all(x >= 1 for x in k) and all(sum(r * x for r, x in zip(row, k)) == 0 for row in _exact(a_rows))
                    and all(sum(r * x for r, x in zip(row, k)) >= 1 for row in _exact(b_rows))):
                lcm = 1
                for x in k:
                    lcm = lcm * x.denominator // np.gcd(lcm, x.denominator)
                return [int(x * lcm) for x in k]
        return None
    if res.status != 2:
        return None
    # Motzkin's alternative: y >= 0, z >= 0, sum(y) + sum(z) = 1, y + B'z + A'w = 0.
    na, nb = len(a), len(b)
    n = m + nb + na
    eq = np.zeros((m + 1, n))
    eq[:m, :m] = np.eye(m)
    if nb:
        eq[:m, m:m + nb] = b.T
    if na:
        eq[:m, m + nb:] = a.T
    eq[m, :m + nb] = 1.0
    rhs = np.zeros(m + 1)
    rhs[m] = 1.0
    alt = linprog(np.zeros(n), A_eq=eq, b_eq=rhs, bounds=[(0, None)] * (m + nb) + [(None, None)] * na,
                  method="highs")
    if alt.status != 0:
        return None
    for den in (1, 2, 6, 12, 60, 840, 10**6):
        y = [Fraction(x).limit_denominator(den) for x in alt.x[:m + nb]]
        if any(x < 0 for x in y) or sum(y) == 0:
            continue
        target = [-(y[i] + sum(Fraction(int(b_rows[r][i])) * y[m + r] for r in range(nb))) for i in range(m)]
        if _solvable_exactly(_exact(a_rows), target, m):
            return "infeasible"
    return None


def _solvable_exactly(a_rows, target, m) -> bool:
    """Whether ``A' w = target`` has a rational solution (Gaussian elimination in fractions)."""
    rows = [[a_rows[r][i] for r in range(len(a_rows))] + [target[i]] for i in range(m)]
    ncol = len(a_rows)
    piv_row = 0
    for col in range(ncol):
        p = next((r for r in range(piv_row, m) if rows[r][col] != 0), None)
        if p is None:
            continue
        rows[piv_row], rows[p] = rows[p], rows[piv_row]
        for r in range(m):
            if r != piv_row and rows[r][col] != 0:
                f = rows[r][col] / rows[piv_row][col]
                rows[r] = [x - f * y for x, y in zip(rows[r], rows[piv_row])]
        piv_row += 1
    return all(rows[r][-1] == 0 for r in range(piv_row, m))


def check_consistency(game, behaviour, beliefs, tol: float = DEFAULT_TOL) -> Consistency:
    """Decide whether the assessment ``(behaviour, beliefs)`` of ``game`` is consistent in the
    sense of Kreps and Wilson (1982).

    Parameters
    ----------
    game : ExtensiveFormGame
        A tree with perfect recall.
    behaviour : dict
        Information set -> action probabilities.
    beliefs : dict
        Information set -> ``{node path text: probability}`` (or ``{"nodes": {...}, ...}`` as in
        the ``beliefs`` detail of the PBE solvers); a set missing here is one of a single node.
    tol : float
        Tolerance on the logarithms of the belief ratios.

    Returns
    -------
    Consistency
        ``consistent`` True (with tremble orders), False (with the information set and the
        reason), or None when the exact certificates could not be verified.

    Examples
    --------
    Selten's horse (Kreps and Wilson 1982, Fig. 1 of Selten 1975 as a three-player tree): player 1
    goes across, player 2 goes across, player 3's set ``{after D, after A then d}`` is off the path.
    Player 3's belief is free in a PBE, and every belief is consistent: the two nodes need the
    trembles of D (order 1) and of d (order 1, and a constant making any ratio).

    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> three = lambda a, b: Decision(2, "3", ("L", "R"), (Terminal(a), Terminal(b)))
    >>> g = ExtensiveFormGame.from_root(("1", "2", "3"), Decision(0, "1", ("D", "A"), (
    ...     three((0.0, 0.0, 0.0), (3.0, 3.0, 2.0)),
    ...     Decision(1, "2", ("d", "a"), (three((4.0, 4.0, 0.0), (0.0, 0.0, 1.0)), Terminal((1.0, 1.0, 1.0)))))))
    >>> c = check_consistency(g, {"1": [0, 1], "2": [0, 1], "3": [1, 0]},
    ...                       {"3": {"root/D": 0.25, "root/A/d": 0.75}})
    >>> c.consistent, c.orders
    (True, {'1': {'D': 1}, '3': {'R': 1}, '2': {'d': 1}})
    """
    fn = "check_consistency()"
    nodes = _paths(game)
    acts = game.infosets
    missing = [h for h in acts if h not in behaviour]
    if missing:
        raise SolverError(f"{fn}: behaviour has no probabilities for information set {missing[0]!r}")
    # the unplayed actions are the variables
    var = {}
    for h, (_, names) in acts.items():
        p = np.asarray(behaviour[h], float)
        if len(p) != len(names):
            raise SolverError(f"{fn}: behaviour at {h!r} has {len(p)} probabilities for {len(names)} actions")
        for a in range(len(names)):
            if p[a] <= SUPPORT_TOL:
                var[(h, a)] = len(var)
    m = len(var)
    by_set: dict = {}
    for h, label, moves in nodes:
        order = np.zeros(m, dtype=np.int64)
        log_c, possible = 0.0, True
        for mv in moves:
            if mv[0] == "chance":
                if mv[1] <= 0:
                    possible = False
                else:
                    log_c += np.log(mv[1])
            else:
                _, g, a = mv
                if (g, a) in var:
                    order[var[(g, a)]] += 1
                else:
                    log_c += np.log(float(behaviour[g][a]))
        by_set.setdefault(h, []).append((label, order, log_c, possible))
    a_rows, b_rows, rhs, where = [], [], [], []
    for h, members in by_set.items():
        if len(members) == 1:
            continue
        raw = beliefs.get(h)
        if raw is None:
            raise SolverError(f"{fn}: no belief given at information set {h!r}, which has {len(members)} nodes")
        raw = raw.get("nodes", raw)
        mu = [float(raw.get(label, 0.0)) for label, *_ in members]
        if abs(sum(mu) - 1.0) > 1e-6 or min(mu) < -1e-9:
            raise SolverError(f"{fn}: the belief at {h!r} is not a probability over its nodes; got {raw!r}")
        live = [j for j, x in enumerate(mu) if x > SUPPORT_TOL]
        dead_live = [members[j][0] for j in live if not members[j][3]]
        if dead_live:
            return Consistency(False, f"at {h!r} the belief weighs node {dead_live[0]}, which chance never reaches")
        x0 = live[0]
        for j in live[1:]:
            a_rows.append(members[j][1] - members[x0][1])
            rhs.append(np.log(mu[j]) - np.log(mu[x0]) - (members[j][2] - members[x0][2]))
            where.append(h)
        for j, (_, order, _, possible) in enumerate(members):
            if j not in live and possible:
                b_rows.append(order - members[x0][1])
    k = _orders([r.tolist() for r in a_rows], [r.tolist() for r in b_rows], m)
    if k is None:
        return Consistency(None, "the linear program on tremble orders gave no certificate that verifies "
                                 "in exact arithmetic")
    if k == "infeasible":
        return Consistency(False, "no ranking of the unplayed actions by tremble order makes the believed "
                                  "nodes the likeliest at every information set (the beliefs after one "
                                  "deviation disagree between information sets)")
    if a_rows:
        a = np.array(a_rows, float)
        lam, *_ = np.linalg.lstsq(a, np.array(rhs), rcond=None)
        res = np.abs(a @ lam - np.array(rhs))
        if res.max() > tol:
            h = where[int(res.argmax())]
            return Consistency(False, f"the belief ratios at {h!r} cannot be matched by the tremble sizes "
                                      f"(log residual {res.max():.2g})")
    orders: dict = {}
    for (h, a), v in sorted(var.items(), key=lambda item: (list(acts).index(item[0][0]), item[0][1])):
        orders.setdefault(h, {})[acts[h][1][a]] = int(k[v])
    return Consistency(True, "beliefs are limits of Bayes' beliefs under trembles of these orders", orders)


def tremble_beliefs(game, behaviour) -> dict:
    """The beliefs (infoset -> ``{node path text: probability}``) that uniform trembles give: the
    limit of Bayes' beliefs under ``(1 - e) sigma + e * uniform`` as ``e -> 0``, consistent by
    construction (every unplayed action of order 1, constant 1 over its set's action count).

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> R = Decision(1, "r", ("x", "y"), (Terminal((0.0, 0.0)), Terminal((0.0, 1.0))))
    >>> g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("out", "L", "R"), (Terminal((1.0, 0.0)), R, R)))
    >>> tremble_beliefs(g, {"a": [1, 0, 0], "r": [1, 0]})["r"]
    {'root/L': 0.5, 'root/R': 0.5}
    """
    out: dict = {}
    for h, label, moves in _paths(game):
        order, weight = 0, 1.0
        for mv in moves:
            if mv[0] == "chance":
                weight *= mv[1]
            else:
                p = float(behaviour[mv[1]][mv[2]])
                if p <= SUPPORT_TOL:
                    order += 1
                    weight /= len(game.infosets[mv[1]][1])
                else:
                    weight *= p
        out.setdefault(h, []).append((label, order, weight))
    beliefs = {}
    for h, members in out.items():
        if all(w <= 0 for _, _, w in members):  # chance excludes the whole set: any belief
            beliefs[h] = {label: 1.0 / len(members) for label, _, _ in members}
            continue
        live = [(label, o, w) for label, o, w in members if w > 0]
        low = min((o for _, o, _ in live), default=0)
        total = sum(w for _, o, w in live if o == low)
        beliefs[h] = {label: (w / total if o == low and w > 0 and total > 0 else 0.0) for label, o, w in members}
    return beliefs


def solver_consistency(game, behaviour, assessed, tol: float = DEFAULT_TOL, beliefs=None) -> Consistency:
    """:func:`check_consistency` for a solver's assessment: a belief that is no probability (a set
    whose every node has probability 0 under chance) gives an undecided verdict with the reason
    instead of an error; ``beliefs`` (when the verdict is on other beliefs than the assessment's
    own) are stored in the result, with the reason saying so."""
    import dataclasses

    try:
        out = check_consistency(game, behaviour, assessed, tol)
    except SolverError as exc:
        return Consistency(None, str(exc))
    if beliefs is None:
        return out
    return dataclasses.replace(out, beliefs=beliefs, reason=(
        "the chosen off-path beliefs are not consistent; those of uniform trembles (here) support the same "
        "play and are: " + out.reason if out.consistent else out.reason))


def certify_pbe(game, equilibrium, tol: float = DEFAULT_TOL) -> Consistency:
    """:func:`check_consistency` of a PBE solver's equilibrium (its ``behaviour`` and ``beliefs``
    details)."""
    d = equilibrium.details
    return check_consistency(game, d["behaviour"], d["beliefs"], tol)


