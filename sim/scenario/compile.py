"""Compiling a scenario once into a linear map from parameter points to payoffs.

Axis conventions
----------------
* A scenario has ``M`` *movers*: for a simultaneous timing, the players in declared order; for a
  sequential timing, the moves of ``timing`` in order (chance moves included), named by their
  move name (a player's name unless the file names the move). Each mover has an axis of its
  action (or outcome) labels; an *outcome* is one label per mover, so there are
  ``n_outcomes = prod(axis sizes)`` outcomes (the profiles of a normal-form game, the terminal
  histories of a sequential one, in the tree's preorder).
* A *conditional* timing (some move happens only under a condition on earlier moves) is not a
  product: it has a single outcome axis, ``movers == ("history",)``, whose labels name the
  terminal histories in preorder (``"us_announce=threat,russia_answer=comply"``), and
  :attr:`CompiledScenario.histories` ``(T, M)`` holds each history's label index per move (``-1``
  where the move did not happen).
* Payoff arrays are ``(B, a_0, ..., a_{M-1}, N)``: batch axis, mover axes, then the player axis in
  the declared player order.
* A batch of parameter points is ``(B, P)`` in the order of :attr:`CompiledScenario.parameter_names`.

Why it is linear: ``u_i(o) = sum_g w_g * sum_r v_r * [o satisfies r]``, where ``w`` and ``v`` are
each a constant, one parameter, or a number times one parameter or times a product of two (the
loader refuses ``w * v`` of degree more than 2). Each product ``w * v`` is thus a number times a
*monomial* - 1, one parameter, or a product of two - and the payoffs are ``terms(theta) @ T`` with ``terms`` the ``R`` distinct
monomials and ``T`` the constant ``(R, n_outcomes * N)`` indicator tensor, built once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from sim._arrays import readonly
from sim.errors import ScenarioError
from sim.scenario.schema import REST, ChanceMove, PlayerMove, Scaled, Scenario, move_labels
from sim.scenario.timing import happens, histories

#: The dense indicator tensor is refused beyond this many entries (about 400 MB of float64).
MAX_TENSOR_ENTRIES = 50_000_000


@dataclass(frozen=True, eq=False)
class CompiledScenario:
    """A scenario compiled to constant arrays; payoffs of parameter batches are one matrix product.

    Attributes
    ----------
    scenario : Scenario
    parameter_names : tuple of str
    defaults, lower, upper : arrays (P,)
        Defaults and bounds (``-inf``/``inf`` where a parameter has none).
    movers : tuple of str
        Names of the outcome axes (players, and chance moves for a sequential timing).
    labels : tuple of tuples of str
        Labels of each outcome axis.
    monomials : array (R, 2) of int
        Each term is ``aug[:, i] * aug[:, j]`` where ``aug = [1, theta]`` (index 0 is the constant 1).
    tensor : array (R, n_outcomes * N)
        Read-only indicator tensor ``T``.

    Examples
    --------
    >>> from sim.scenario.load import loads_scenario
    >>> s = loads_scenario('''
    ... [scenario]
    ... id = "stag"
    ... title = "Stag hunt"
    ... timing = "simultaneous"
    ... [parameters]
    ... stag = { default = 4, min = 0, max = 10 }
    ... [players.A]
    ... actions = ["stag", "hare"]
    ... [players.B]
    ... actions = ["stag", "hare"]
    ... [[goals]]
    ... player = "A"
    ... name = "food"
    ... weight = 1
    ... rules = [{ when = { A = "stag", B = "stag" }, value = "stag" }, { when = { A = "hare" }, value = 3 }]
    ... [[goals]]
    ... player = "B"
    ... name = "food"
    ... weight = 1
    ... rules = [{ when = { A = "stag", B = "stag" }, value = "stag" }, { when = { B = "hare" }, value = 3 }]
    ... ''')
    >>> c = compile_scenario(s)
    >>> c.game().payoff_array("A").tolist()
    [[4.0, 0.0], [3.0, 3.0]]
    >>> c.payoffs([[4.0], [2.0]])[:, 0, 0, 0].tolist()
    [4.0, 2.0]
    """

    scenario: Scenario
    parameter_names: tuple[str, ...]
    defaults: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    movers: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    monomials: np.ndarray
    tensor: np.ndarray
    #: For a conditional timing, ``(T, M)`` label indices per move of each terminal history (else None).
    histories: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"CompiledScenario({self.scenario.id!r}, outcomes={self.n_outcomes}, parameters={len(self.parameter_names)})"

    def _repr_html_(self) -> str:
        return self.scenario._repr_html_()

    # ----- shapes --------------------------------------------------------------------------------
    @property
    def players(self) -> tuple[str, ...]:
        return self.scenario.player_names

    @property
    def outcome_shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.labels)

    @property
    def n_outcomes(self) -> int:
        return int(np.prod(self.outcome_shape))

    @property
    def sequential(self) -> bool:
        return self.scenario.sequential

    # ----- parameter points ------------------------------------------------------------------------
    def point(self, overrides: Mapping[str, float] | None = None) -> np.ndarray:
        """The defaults with ``overrides`` applied, checked against names and bounds: shape (P,)."""
        theta = self.defaults.copy()
        for name, value in (overrides or {}).items():
            if name not in self.parameter_names:
                raise ScenarioError(f"unknown parameter; parameters are {list(self.parameter_names)} (got {name!r})",
                                    path=self.scenario.path, field=f"parameters.{name}")
            theta[self.parameter_names.index(name)] = value
        self.check_points(theta[None])
        return theta

    def check_points(self, points) -> np.ndarray:
        """Validate a batch ``(B, P)``: finite, within every parameter's bounds."""
        try:
            points = np.asarray(points, dtype=float)
        except (TypeError, ValueError):
            raise ScenarioError("points must be numeric (got non-numeric values)", path=self.scenario.path,
                                field="parameters") from None
        if points.ndim != 2 or points.shape[1] != len(self.parameter_names):
            raise ScenarioError(f"points must have shape (B, {len(self.parameter_names)}) (got {points.shape})",
                                path=self.scenario.path, field="parameters")
        bad = ~np.isfinite(points) | (points < self.lower) | (points > self.upper)
        if bad.any():
            b, k = (int(i) for i in np.argwhere(bad)[0])
            name = self.parameter_names[k]
            raise ScenarioError(
                f"must be finite and within [{self.lower[k]}, {self.upper[k]}] (got {points[b, k]})",
                path=self.scenario.path, field=f"parameters.{name}")
        return points

    def terms(self, points) -> np.ndarray:
        """Monomials of a batch of points: ``(B, R)``."""
        points = np.asarray(points, dtype=float)
        aug = np.concatenate([np.ones((points.shape[0], 1)), points], axis=1)
        return aug[:, self.monomials[:, 0]] * aug[:, self.monomials[:, 1]]

    def payoffs(self, points, *, check: bool = True) -> np.ndarray:
        """Payoffs of a batch of parameter points: ``(B, a_0, ..., a_{M-1}, N)``.

        ``terms (B, R) @ T (R, n_outcomes * N)``, summed term by term in a fixed order (one array
        operation per monomial, vectorised over points and outcomes) rather than by a BLAS
        matrix product: BLAS may round a point differently inside a batch than alone (its
        summation order depends on the kernel it picks for the shape), and then a sweep row, a
        chunk of another size and ``bargain solve`` at the same point could decide a tie
        differently. Summed this way, every row is the same floats whatever the batch.
        """
        points = self.check_points(points) if check else np.asarray(points, dtype=float)
        terms = self.terms(points)
        tensor = self.tensor
        flat = terms[:, 0, None] * tensor[0]
        for r in range(1, tensor.shape[0]):
            flat += terms[:, r, None] * tensor[r]
        return flat.reshape(points.shape[0], *self.outcome_shape, len(self.players))

    def chance_probabilities(self, points, *, check: bool = True) -> tuple[np.ndarray, ...]:
        """For each chance move (in timing order), its outcome probabilities per point: ``(B, k)``."""
        points = self.check_points(points) if check else np.asarray(points, dtype=float)
        out = []
        for move in self._chance_moves():
            cols, rest = [], None
            for k, (_, p) in enumerate(move.outcomes):
                if p == REST:
                    rest = k
                    cols.append(np.zeros(points.shape[0]))
                elif isinstance(p, str):
                    cols.append(points[:, self.parameter_names.index(p)])
                else:
                    cols.append(np.full(points.shape[0], float(p)))
            probs = np.stack(cols, axis=1)
            if rest is not None:
                probs[:, rest] = 1.0 - probs.sum(axis=1)
            if np.any(probs < -1e-12) or np.any(np.abs(probs.sum(axis=1) - 1) > 1e-9):
                b = int(np.argwhere((probs < -1e-12).any(axis=1) | (np.abs(probs.sum(axis=1) - 1) > 1e-9))[0, 0])
                raise ScenarioError(f"probabilities must be >= 0 and sum to 1 (got {probs[b].tolist()})",
                                    path=self.scenario.path, field=f"timing.{move.name}")
            out.append(np.clip(probs, 0.0, None))
        return tuple(out)

    def _chance_moves(self) -> list[ChanceMove]:
        if not self.sequential:
            return []
        return [m for m in self.scenario.timing if isinstance(m, ChanceMove)]

    # ----- games -----------------------------------------------------------------------------------
    def normal_form(self, overrides: Mapping[str, float] | None = None):
        """The game as a :class:`~sim.game.NormalFormGame`: the game itself for a simultaneous
        timing, the tree's reduced normal form (Kuhn 1953) for a sequential one. Every method
        that is not a tree method solves this."""
        return self.game(overrides).normal_form()

    def game(self, overrides: Mapping[str, float] | None = None):
        """The game at the defaults with ``overrides``.

        A :class:`~sim.game.NormalFormGame` for a simultaneous timing; for a sequential one, an
        ``ExtensiveFormGame`` (``sim.extensive.tree``) whose decision nodes share an information
        set when the mover has observed the same earlier outcomes.
        """
        theta = self.point(overrides)
        payoffs = self._finite(self.payoffs(theta[None], check=False)[0])
        if not self.sequential:
            from sim.game import NormalFormGame

            return NormalFormGame.from_payoffs(payoffs, self.players, self.labels, self.scenario.title)
        probs = [p[0] for p in self.chance_probabilities(theta[None], check=False)]
        return build_tree(self, payoffs, probs)

    def extensive_game(self, overrides: Mapping[str, float] | None = None):
        """The game as an ``ExtensiveFormGame``; a simultaneous timing becomes moves in player order,
        each in one information set (no one sees another's move), for Gambit's ``.efg`` format."""
        if self.sequential:
            return self.game(overrides)
        theta = self.point(overrides)
        return build_tree(self, self._finite(self.payoffs(theta[None], check=False)[0]), [],
                          tuple(PlayerMove(p) for p in self.players))

    def _finite(self, payoffs: np.ndarray) -> np.ndarray:
        """``payoffs`` of one point, refused (naming the file, the goals and the outcome) when a sum of
        weight times value overflows the float range."""
        bad = np.argwhere(~np.isfinite(payoffs))
        if len(bad):
            *where, player = (int(i) for i in bad[0])
            movers = [m.key for m in self.scenario.timing] if self.sequential else self.players
            if self.histories is not None:  # a conditional timing: one axis of terminal histories, labelled
                outcome = self.labels[0][where[0]]
            else:
                outcome = ", ".join(f"{m}={self.labels[k][i]}" for k, (m, i) in enumerate(zip(movers, where)))
            raise ScenarioError(f"the payoff of {self.players[player]} at {outcome} is not finite (a sum of "
                                f"weight x value beyond 1.8e308) (got {payoffs[tuple(bad[0])]})",
                                path=self.scenario.path, field="goals")
        return payoffs


def _monomial(weight, value) -> tuple[tuple[str, ...], float]:
    """``weight * value`` as (sorted parameter names, coefficient); a :class:`Scaled` term brings
    its parameters and multiplies its scale into the coefficient."""
    names, coef = [], 1.0
    for x in (weight, value):
        if isinstance(x, str):
            names.append(x)
        elif isinstance(x, Scaled):
            names.extend(x.parameters)
            coef *= x.scale
        else:
            coef *= float(x)
    return tuple(sorted(names)), coef


def compile_scenario(scenario: Scenario) -> CompiledScenario:
    """Compile ``scenario`` once into its indicator tensor (see the module docstring).

    Raises
    ------
    ScenarioError
        When the tensor would exceed :data:`MAX_TENSOR_ENTRIES`.
    """
    names = tuple(p.name for p in scenario.parameters)
    defaults = np.array([p.default for p in scenario.parameters], dtype=float)
    lower = np.array([-np.inf if p.min is None else p.min for p in scenario.parameters], dtype=float)
    upper = np.array([np.inf if p.max is None else p.max for p in scenario.parameters], dtype=float)
    rows = None
    if scenario.conditional:
        moves = scenario.timing
        move_axis = {m.key: k for k, m in enumerate(moves)}
        move_labs = [move_labels(scenario, m) for m in moves]
        rows = histories([len(a) for a in move_labs], [_condition(m, move_axis, move_labs) for m in moves])
        movers = ["history"]
        labels = [tuple(",".join(f"{m.key}={move_labs[k][a]}" for k, (m, a) in enumerate(zip(moves, row)) if a >= 0)
                        for row in rows.tolist())]
    elif scenario.sequential:
        movers = [m.key for m in scenario.timing]
        labels = [move_labels(scenario, m) for m in scenario.timing]
    else:
        movers = list(scenario.player_names)
        labels = [a for _, a in scenario.players]
    shape = tuple(len(a) for a in labels)
    n_players = len(scenario.players)
    axis = {m: k for k, m in enumerate(movers)}
    player_index = {p: i for i, p in enumerate(scenario.player_names)}

    # Distinct monomials first, so R is known before allocating the tensor.
    keys: dict[tuple[str, ...], int] = {}
    for g in scenario.goals:
        for r in g.rules:
            keys.setdefault(_monomial(g.weight, r.value)[0], len(keys))
    if not keys:  # no goal (a scenario built in code): one constant row of zeros, every payoff 0
        keys[()] = 0
    n_outcomes = int(np.prod(shape))
    entries = len(keys) * n_outcomes * n_players
    if entries > MAX_TENSOR_ENTRIES:
        raise ScenarioError(f"the compiled tensor would have more than {MAX_TENSOR_ENTRIES:,} entries; refused "
                            f"(got {entries:,})", path=scenario.path, field="goals")
    tensor = np.zeros((len(keys), *shape, n_players))
    for g in scenario.goals:
        i = player_index[g.player]
        for r in g.rules:
            key, coef = _monomial(g.weight, r.value)
            if rows is not None:
                # One 0/1 entry per terminal history: every named move happened with an allowed label.
                mask = np.ones(len(rows), dtype=bool)
                for mover, allowed in r.when:
                    k = move_axis[mover]
                    mask &= np.isin(rows[:, k], [move_labs[k].index(a) for a in allowed])
                tensor[(keys[key], ..., i)] += coef * mask
                continue
            # The rule's indicator is an outer product of one 0/1 vector per mover axis; broadcasting
            # builds it without enumerating outcomes.
            mask = np.ones(shape, dtype=bool)
            for mover, allowed in r.when:
                k = axis[mover]
                vec = np.isin(np.array(labels[k]), list(allowed))
                mask = mask & vec.reshape([-1 if j == k else 1 for j in range(len(shape))])
            tensor[(keys[key], ..., i)] += coef * mask
    mono = np.zeros((len(keys), 2), dtype=np.intp)
    for key, row in keys.items():
        idx = [names.index(n) + 1 for n in key] + [0, 0]
        mono[row] = idx[:2]
    return CompiledScenario(
        scenario, names, readonly(defaults), readonly(lower), readonly(upper), tuple(movers),
        tuple(tuple(a) for a in labels), readonly(mono, dtype=None),
        readonly(tensor.reshape(len(keys), -1), copy=False), None if rows is None else readonly(rows, dtype=None),
    )


def _condition(move, axis: dict[str, int], labels) -> tuple:
    """A move's ``when`` as ``((move index, allowed label indices), ...)`` (see :mod:`sim.scenario.timing`)."""
    return tuple((axis[m], frozenset(labels[axis[m]].index(a) for a in allowed)) for m, allowed in move.when)


def infoset_id(player: str, observed: tuple[tuple[str, str], ...]) -> str:
    """Information-set name: the move and what it has seen, e.g. ``"Russia|US=keep"``."""
    if not observed:
        return player
    return player + "|" + ",".join(f"{m}={a}" for m, a in observed)


def _observed(moves, k: int) -> list[int]:
    """The earlier moves whose outcome move ``k`` sees: those it lists, then (perfect recall) its
    player's earlier moves and what they saw, in timing order."""
    move = moves[k]
    if isinstance(move, ChanceMove):
        return []
    index = {m.key: j for j, m in enumerate(moves)}
    out = [index[o] for o in move.observes]
    if isinstance(move, PlayerMove):
        recalled: set[int] = set()
        for j in range(k):
            m = moves[j]
            if isinstance(m, PlayerMove) and m.player == move.player:
                recalled.add(j)
                recalled.update(_observed(moves, j))
        out += [j for j in sorted(recalled) if j not in out]
    return out


def build_tree(compiled: CompiledScenario, payoffs: np.ndarray, probs: list[np.ndarray], moves=None):
    """The extensive-form game with terminal ``payoffs`` ``(outcomes..., N)`` over ``moves`` (default:
    the scenario's timing), one level of the tree per move that happens.

    Terminal ``t`` in preorder takes row ``t`` of ``payoffs.reshape(-1, N)``: the C-order outcome
    for an unconditional timing, history ``t`` for a conditional one. A move whose condition fails
    is skipped; a move sees what it ``observes`` and what its player saw and did before (perfect
    recall). Nodes that agree on all of that form one information set, named after the move.
    """
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    scenario = compiled.scenario
    moves = scenario.timing if moves is None else moves
    players = compiled.players
    flat = np.asarray(payoffs).reshape(-1, len(players))
    labels = [move_labels(scenario, m) for m in moves]
    axis = {m.key: k for k, m in enumerate(moves)}
    conditions = [_condition(m, axis, labels) for m in moves]
    observed = [_observed(moves, k) for k in range(len(moves))]
    chance_index = {m.name: k for k, m in enumerate(m for m in moves if isinstance(m, ChanceMove))}
    flat_labels = compiled.labels[0] if compiled.histories is not None else None
    counter = [0]

    def node(k: int, history: tuple[int, ...]):
        if k == len(moves):
            t = counter[0]
            counter[0] += 1
            label = flat_labels[t] if flat_labels is not None else \
                ",".join(labels[j][a] for j, a in enumerate(history))
            return Terminal(tuple(float(x) for x in flat[t]), label)
        if not happens(conditions[k], history):
            return node(k + 1, history + (-1,))
        move = moves[k]
        children = tuple(node(k + 1, history + (a,)) for a in range(len(labels[k])))
        if isinstance(move, ChanceMove):
            return Chance(labels[k], tuple(float(p) for p in probs[chance_index[move.name]]), children, move.name)
        seen = tuple((moves[j].key, labels[j][history[j]]) for j in observed[k] if history[j] >= 0)
        return Decision(players.index(move.player), infoset_id(move.key, seen), labels[k], children, move.key)

    return ExtensiveFormGame.from_root(players, node(0, ()), title=scenario.title)