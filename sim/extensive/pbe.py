"""Perfect Bayesian equilibria in pure behaviour strategies of small extensive-form games.

An *assessment* is a pure behaviour profile (one action per information set) with a belief (a
probability over the nodes) at every information set. It is a perfect Bayesian equilibrium when

* every action is sequentially rational: at each information set, given the belief there and the
  continuation play of the profile, no other action gives its owner a higher expected payoff;
* beliefs follow Bayes' rule wherever the profile gives the information set positive probability
  (Fudenberg and Tirole 1991, ch. 8; Gibbons 1992, ch. 4, Requirements 1-3).

Beliefs are computed from the reach probability of each node *counting only chance and the other
players' moves*. Under perfect recall every node of an information set of player ``i`` follows the
same own history of ``i``, so ``i``'s own moves are a common factor: Bayes' rule then also pins
beliefs at information sets that only ``i``'s own deviation leaves unreached ("where possible",
Fudenberg and Tirole 1991, section 8.2). Only where chance or the other players exclude every node
is the belief free; there we solve a linear feasibility problem over the simplex of the
information set's nodes (is there *some* belief making the chosen action a best reply?), report
the belief with the largest margin, and the range each node's probability may take.

With pinned beliefs wherever a player's own deviation can lead, the one-shot check above implies
that no player gains from any deviation, so every assessment found is a Nash equilibrium of the
reduced normal form; each is certified there (:meth:`sim.result.Equilibrium.certify`).

For signalling games (chance picks a type at the root, the *sender* moves next knowing the type,
then a *receiver* who sees only the message) each equilibrium is classified as ``"separating"``
(all types send different messages), ``"pooling"`` (all types send the same message) or
``"semi-separating/hybrid"``; other trees get ``None``.

Not covered: mixed (behavioural) assessments (:mod:`sim.extensive.signalling` searches them for
two-stage signalling games; :mod:`sim.extensive.agent` for small trees). The chosen belief at each
free information set is checked on its own; whether the beliefs together are consistent (Kreps
and Wilson 1982; a sequential equilibrium) is then decided by
:func:`sim.extensive.consistency.check_consistency` and reported as ``details["consistent"]``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from sim.errors import SolverError
from sim.extensive.consistency import solver_consistency, tremble_beliefs
from sim.game import spread_tolerances
from sim.extensive.reduced import mixed_from_behaviour
from sim.extensive.spe import equilibrium_path
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal, path_text
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9
DEFAULT_MAX_PROFILES = 50_000

ON_PATH = "on path"
OFF_PATH_BAYES = "off path, Bayes"
OFF_PATH_CHOSEN = "off path, chosen"


class _Flat:
    """The tree as arrays in preorder, so each profile is evaluated by two linear sweeps."""

    def __init__(self, game: ExtensiveFormGame):
        self.nodes, self.paths, self.parent, self.kids = [], [], [], []
        stack = [(game.root, (), -1)]
        while stack:
            node, path, parent = stack.pop()
            k = len(self.nodes)
            self.nodes.append(node)
            self.paths.append(path)
            self.parent.append(parent)
            self.kids.append([])
            if parent >= 0:
                self.kids[parent].append(k)
            if not isinstance(node, Terminal):
                names = node.actions if isinstance(node, Decision) else node.outcomes
                for name, child in reversed(list(zip(names, node.children))):
                    stack.append((child, (*path, name), k))
        # Children were appended in action order because the stack pops them in that order.
        self.infosets = list(game.infosets)
        self.members = {h: [k for k, n in enumerate(self.nodes) if isinstance(n, Decision) and n.infoset == h]
                        for h in self.infosets}
        self.n_players = game.n_players
        self.pays = np.array([n.payoffs for n in self.nodes if isinstance(n, Terminal)], dtype=float)

    def values(self, choice: dict[str, int]) -> np.ndarray:
        """Continuation payoff of every node under the pure profile ``choice`` (reverse preorder)."""
        v = np.zeros((len(self.nodes), self.n_players))
        for k in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[k]
            if isinstance(node, Terminal):
                v[k] = node.payoffs
            elif isinstance(node, Chance):
                v[k] = sum(p * v[c] for p, c in zip(node.probs, self.kids[k]))
            else:
                v[k] = v[self.kids[k][choice[node.infoset]]]
        return v

    def reach(self, choice: dict[str, int]) -> np.ndarray:
        """``r[k, i]``: probability of node ``k`` from chance and every player's moves except ``i``'s;
        ``r[k, N]``: the full reach probability."""
        n = self.n_players
        r = np.zeros((len(self.nodes), n + 1))
        r[0] = 1.0
        for k, node in enumerate(self.nodes):
            if isinstance(node, Terminal):
                continue
            for j, c in enumerate(self.kids[k]):
                if isinstance(node, Chance):
                    r[c] = r[k] * node.probs[j]
                else:
                    step = np.full(n + 1, 1.0 if choice[node.infoset] == j else 0.0)
                    step[node.player] = 1.0  # a player's own moves do not enter its own beliefs
                    r[c] = r[k] * step
        return r


def _free_belief(gaps: np.ndarray, tol: float):
    """Feasible beliefs for ``gaps[a, x] = u(chosen | x) - u(a | x)`` >= -tol for every action ``a``.

    Returns ``(belief, bounds)`` with the largest-margin belief and each node's probability range
    over the feasible set, or ``None`` when no belief on the simplex makes the choice optimal.
    """
    from scipy.optimize import linprog

    m, n = gaps.shape
    if m == 0:
        uniform = np.full(n, 1.0 / n)
        return uniform, [(0.0, 1.0)] * n
    # Variables (mu_1..mu_n, t): maximise t subject to gaps @ mu >= t, sum(mu) = 1, mu >= 0.
    c = np.zeros(n + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-gaps, np.ones((m, 1))])
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(m), A_eq=np.hstack([np.ones((1, n)), [[0.0]]]), b_eq=[1.0],
                  bounds=[(0, None)] * n + [(None, None)], method="highs")
    if res.status != 0 or -res.fun < -tol:
        return None
    belief = np.clip(res.x[:n], 0.0, None)
    belief = belief / belief.sum()
    # The range of each node's probability over the feasible set {gaps @ mu >= 0}: exact, so a
    # textbook threshold prints as 0.5 and not 0.5 - tol; only a choice that is a best reply
    # within the tolerance alone (margin in [-tol, 0)) gets the range of {gaps @ mu >= -tol}.
    slack = 0.0 if -res.fun >= 0 else tol
    bounds = []
    for x in range(n):
        lohi = []
        for sign in (1.0, -1.0):
            obj = np.zeros(n)
            obj[x] = sign
            r = linprog(obj, A_ub=-gaps, b_ub=np.full(m, slack), A_eq=np.ones((1, n)), b_eq=[1.0],
                        bounds=[(0, None)] * n, method="highs")
            lohi.append(float(np.clip(sign * r.fun, 0.0, 1.0)) if r.status == 0 else math.nan)
        bounds.append((lohi[0], lohi[1]))
    return belief, bounds


def signalling_roles(game: ExtensiveFormGame):
    """``(sender, receiver, types)`` when the tree starts like a signalling game, else ``None``.

    The root must be a chance node whose children are all decisions of one player (the sender) at
    pairwise distinct information sets with the same action names (the messages), and every node
    right after a message must be a decision of one other player (the receiver). ``types`` lists
    ``(type name, sender infoset)`` for the types drawn with positive probability.
    """
    root = game.root
    if not isinstance(root, Chance) or not all(isinstance(c, Decision) for c in root.children):
        return None
    senders = {c.player for c in root.children}
    infosets = [c.infoset for c in root.children]
    if len(senders) != 1 or len(set(infosets)) != len(infosets) or len({c.actions for c in root.children}) != 1:
        return None
    sender = senders.pop()
    nxt = [g for c in root.children for g in c.children]
    if not all(isinstance(g, Decision) for g in nxt) or len({g.player for g in nxt}) != 1:
        return None
    receiver = nxt[0].player
    if receiver == sender:
        return None
    types = [(o, c.infoset) for o, p, c in zip(root.outcomes, root.probs, root.children) if p > 0]
    return sender, receiver, types


def classify_messages(messages: dict[str, str]) -> str:
    """``"pooling"``, ``"separating"`` or ``"semi-separating/hybrid"`` for ``type -> message``.

    >>> classify_messages({"strong": "beer", "weak": "beer"}), classify_messages({"t1": "L", "t2": "R"})
    ('pooling', 'separating')
    """
    sent = list(messages.values())
    if len(set(sent)) == 1:
        return "pooling"
    if len(set(sent)) == len(sent):
        return "separating"
    return "semi-separating/hybrid"


def pbe_solve(game: ExtensiveFormGame, tol: float = DEFAULT_TOL,
              max_profiles: int = DEFAULT_MAX_PROFILES) -> SolverResult:
    """All perfect Bayesian equilibria in pure behaviour strategies (pure assessments).

    Enumerates every pure behaviour profile; computes beliefs by Bayes' rule where chance and the
    other players reach an information set; elsewhere searches the belief simplex by linear
    programming; keeps the profiles in which every action is sequentially rational
    (Fudenberg and Tirole 1991, ch. 8; Gibbons 1992, ch. 4).

    Parameters
    ----------
    game : ExtensiveFormGame
        Must have perfect recall.
    tol : float
        Tolerance of the best-reply comparisons, relative to the game's payoff spread (no floor,
        plus round-off: :func:`sim.game.spread_tolerances`).
    max_profiles : int
        Refuse (``SolverError``) games with more pure behaviour profiles than this.

    Returns
    -------
    SolverResult
        Method ``"pbe"``; ``game`` is the reduced normal form, on which every equilibrium is
        certified. ``details`` of each equilibrium: ``behaviour`` (infoset -> action
        probabilities), ``choices`` (infoset -> action), ``beliefs`` (infoset ->
        ``{"nodes": {node path: probability}, "status": "on path" | "off path, Bayes" |
        "off path, chosen"}``, with ``"bounds": {node path: [low, high]}`` for chosen beliefs: the
        largest-margin belief),
        ``path`` (:func:`sim.extensive.spe.equilibrium_path`), ``consistent`` (True, False or None:
        Kreps-Wilson consistency of the beliefs, :func:`sim.extensive.consistency.check_consistency`;
        ``consistency`` holds its reason, tremble orders and, where the chosen beliefs are not
        consistent but those of uniform trembles are and support the choices, those ``beliefs``),
        and for signalling games
        ``classification``, ``messages`` (type -> message), ``sender``, ``receiver``
        (``classification`` is ``None`` for other trees). ``complete`` is True: every pure PBE
        is listed (mixed ones are not searched).

    Raises
    ------
    SolverError
        When ``game`` is not a tree, ``tol`` is negative, or the game has more than
        ``max_profiles`` pure behaviour profiles.
    GameError
        When the game has imperfect recall.

    Examples
    --------
    Beer-quiche (Cho and Kreps 1987): both pure PBE pool; after the unused breakfast the
    receiver must think the sender weak with probability at least 1/2.

    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> def sender(t, like):
    ...     return Decision(0, t, ("beer", "quiche"), tuple(
    ...         Decision(1, m, ("duel", "no_duel"), (
    ...             Terminal(((m == like) + 0.0, 1.0 if t == "weak" else 0.0)),
    ...             Terminal(((m == like) + 2.0, 0.0 if t == "weak" else 1.0))))
    ...         for m in ("beer", "quiche")))
    >>> g = ExtensiveFormGame.from_root(("Sender", "Receiver"), Chance(
    ...     ("weak", "strong"), (0.1, 0.9), (sender("weak", "quiche"), sender("strong", "beer"))))
    >>> r = pbe_solve(g)
    >>> [e.details["classification"] for e in r.equilibria]
    ['pooling', 'pooling']
    >>> r.equilibria[0].details["beliefs"]["quiche"]["bounds"]["root/weak/quiche"]
    [0.5, 1.0]
    """
    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"pbe_solve(): needs an ExtensiveFormGame; got {type(game).__name__}")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise SolverError(f"pbe_solve(): tol must be a finite non-negative number; got {tol!r}")
    game.require_perfect_recall("pbe_solve()")
    acts = game.infosets
    count = math.prod(len(a) for _, a in acts.values())
    if count > max_profiles:
        raise SolverError(f"pbe_solve(): the game has {count} pure behaviour profiles, more than "
                          f"max_profiles={max_profiles}; pure assessments are enumerated, so only small games are solved")
    flat = _Flat(game)
    eps = spread_tolerances(flat.pays, tol)
    nf = game.reduced_normal_form()
    roles = signalling_roles(game)
    order = list(acts)
    belief_cache: dict[tuple, object] = {}
    equilibria = []
    for combo in itertools.product(*[range(len(acts[h][1])) for h in order]):
        choice = dict(zip(order, combo))
        v = flat.values(choice)
        r = flat.reach(choice)
        beliefs = {}
        ok = True
        for h in order:
            player, actions = acts[h]
            members = flat.members[h]
            chosen = choice[h]
            # u[x, a]: owner's continuation payoff at node x after action a.
            u = np.array([[v[c, player] for c in flat.kids[x]] for x in members])
            weight = r[members, player]
            labels = [path_text(flat.paths[x]) for x in members]
            if weight.sum() > 0:
                mu = weight / weight.sum()
                expected = mu @ u
                if expected.max() > expected[chosen] + eps:
                    ok = False
                    break
                status = ON_PATH if r[members, -1].sum() > 0 else OFF_PATH_BAYES
                beliefs[h] = {"nodes": dict(zip(labels, map(float, mu))), "status": status}
            else:
                gaps = np.delete((u[:, chosen][:, None] - u).T, chosen, axis=0)
                key = (h, gaps.tobytes())
                if key not in belief_cache:
                    belief_cache[key] = _free_belief(gaps, eps)
                found = belief_cache[key]
                if found is None:
                    ok = False
                    break
                mu, bounds = found
                beliefs[h] = {"nodes": dict(zip(labels, map(float, mu))), "status": OFF_PATH_CHOSEN,
                              "bounds": {lab: [lo, hi] for lab, (lo, hi) in zip(labels, bounds)}}
        if not ok:
            continue
        behaviour = {h: np.eye(len(acts[h][1]))[choice[h]] for h in order}
        details = {
            "behaviour": {h: [float(x) for x in p] for h, p in behaviour.items()},
            "choices": {h: acts[h][1][choice[h]] for h in order},
            "beliefs": beliefs,
            "path": equilibrium_path(game, behaviour),
            "classification": None,
        }
        consistency = solver_consistency(game, details["behaviour"], beliefs)
        if consistency.consistent is False:
            # Chosen one set at a time, the free beliefs may disagree where consistent ones also
            # support the choices: those of uniform trembles are kept when they do.
            trembled = tremble_beliefs(game, details["behaviour"])
            chosen_sets = [h for h in order if beliefs[h]["status"] == OFF_PATH_CHOSEN]
            fits = True
            for h in chosen_sets:
                player, members = acts[h][0], flat.members[h]
                u = np.array([[v[c, player] for c in flat.kids[x]] for x in members])
                e = np.array([trembled[h][path_text(flat.paths[x])] for x in members]) @ u
                fits = fits and e.max() <= e[choice[h]] + eps
            if fits:
                other = {h: ({"nodes": dict(trembled[h]), "status": b["status"]} if h in chosen_sets else b)
                         for h, b in beliefs.items()}
                consistency = solver_consistency(game, details["behaviour"], other, beliefs=other)
        details.update(consistent=consistency.consistent, consistency=consistency.to_dict())
        if roles is not None:
            sender, receiver, types = roles
            messages = {t: acts[h][1][choice[h]] for t, h in types}
            details.update(classification=classify_messages(messages), messages=messages,
                           sender=game.players[sender], receiver=game.players[receiver])
        equilibria.append(Equilibrium.certify(nf, mixed_from_behaviour(game, behaviour), **details))
    return SolverResult("pbe", nf, tuple(equilibria), {"tol": tol, "max_profiles": max_profiles},
                        complete=True,
                        details={"profiles_checked": count,
                                 "signalling": None if roles is None else {
                                     "sender": game.players[roles[0]], "receiver": game.players[roles[1]],
                                     "types": [t for t, _ in roles[2]]},
                                 "infosets": {h: {"player": game.players[p], "actions": list(a)}
                                              for h, (p, a) in acts.items()}})
