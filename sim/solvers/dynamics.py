"""Learning dynamics for N-player normal-form games: replicator dynamics and fictitious play.

Axis conventions are those of :mod:`sim.game`: payoffs ``(n_0, ..., n_{N-1}, N)``; a state is a
mixed profile, one probability vector per player. A trajectory is returned per player as an array
of shape ``(T, n_i)``: row ``k`` is player ``i``'s mixture after ``details["step"][k]`` steps. Row 0
is the start; then every ``record_every``-th step is recorded, and the final state always is
(by default about :data:`RECORDED_POINTS` rows, so a long run's result and JSON stay small).

Both methods are vectorised over players through :func:`sim.game.deviation_payoffs`, which gives
every player's payoff of each own action against the others' current mixtures in one call.

These are not equilibrium finders with guarantees: they show where play drifts. The end point is
returned as an :class:`~sim.result.Equilibrium` carrying its measured regret, and ``converged``
says whether the iteration met its tolerance; a point with large regret is not a Nash equilibrium.
"""

from __future__ import annotations

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame, deviation_payoffs
from sim.result import Equilibrium, SolverResult

RECORDED_POINTS = 200


def _record_every(func: str, record_every, steps: int) -> int:
    """``record_every``, or by default the stride that records about ``RECORDED_POINTS`` rows."""
    if record_every is None:
        return max(1, -(-steps // RECORDED_POINTS))
    if not isinstance(record_every, (int, np.integer)) or isinstance(record_every, bool) or record_every < 1:
        raise SolverError(f"{func}(): record_every must be a positive integer or None; got {record_every!r}")
    return int(record_every)


def _check_common(func: str, game, steps, tol) -> None:
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"{func}(): game must be a NormalFormGame; got {type(game).__name__}")
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 1:
        raise SolverError(f"{func}(): steps must be a positive integer; got {steps!r}")
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol >= 0):
        raise SolverError(f"{func}(): tol must be a finite non-negative number; got {tol!r}")


def _start_profile(func: str, game: NormalFormGame, start) -> tuple[np.ndarray, ...]:
    """The uniform profile, or ``start`` validated as a mixed profile of ``game``."""
    if start is None:
        return tuple(np.full(n, 1.0 / n) for n in game.shape)
    try:
        return tuple(np.array(s, dtype=float) for s in game.check_profile(start))
    except ValueError as exc:
        raise SolverError(f"{func}(): start must be a mixed profile of the game: {exc}") from None


# ----- replicator dynamics ----------------------------------------------------------------------

def _log_velocity(payoffs: np.ndarray, x: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Replicator field in log coordinates: ``d log x_ia / dt = u_i(a, x_-i) - u_i(x)``."""
    dev = deviation_payoffs(payoffs, x)
    return tuple(d - d @ s for d, s in zip(dev, x))


def _softmax(y: np.ndarray) -> np.ndarray:
    # -inf entries (actions absent from the start) stay at probability exactly zero.
    z = np.exp(y - y.max())
    return z / z.sum()


def replicator_solve(game: NormalFormGame, start=None, steps: int = 10_000, dt: float = 0.01,
                     tol: float = 1e-10, record_every: int | None = None) -> SolverResult:
    """Integrate the N-population replicator dynamics from ``start``.

    The dynamics (Taylor and Jonker 1978; multi-population form: Weibull 1995, chapter 5;
    Hofbauer and Sigmund 1998) are ``dx_ia/dt = x_ia (u_i(a, x_-i) - u_i(x))``. They are
    integrated with classical fourth-order Runge-Kutta in log coordinates ``y = log x``, where
    the field is ``u_i(a, x_-i) - u_i(x)`` and ``x = softmax(y)``: every step lands exactly in
    the simplex, shares are never clipped, and an action absent at the start (``y = -inf``) stays
    absent, as in the continuous dynamics. Integration stops when the speed ``max |dx/dt|`` falls
    below ``tol`` times the payoff scale: a rest point. Rest points include every pure profile and
    need not be Nash equilibria; the end point's regret tells.

    Parameters
    ----------
    game : NormalFormGame
    start : mixed profile, optional
        Initial state; the uniform profile by default.
    steps : int
        Largest number of integration steps.
    dt : float
        Step length in units of time (payoffs are divided by the payoff scale first, so one unit
        of time means the same for rescaled games).
    tol : float
        Rest-point tolerance on the speed, relative to the payoff scale.
    record_every : int or None
        Record the state every this many steps (the start and the final state always). By
        default ``ceil(steps / 200)``, about 200 rows; ``1`` records every step. Recording does
        not change the integration.

    Returns
    -------
    SolverResult
        One equilibrium candidate, the end point; ``converged`` tells whether a rest point was
        reached; ``details["trajectory"]`` is a tuple of ``(T, n_i)`` arrays of the recorded
        states, ``details["step"]`` the step number of each row, ``details["speed"]`` the speed
        (relative to the payoff scale) at each recorded state, ``details["time"]`` the time
        reached.

    Examples
    --------
    Prisoner's dilemma: defection takes over.

    >>> from sim.game import NormalFormGame
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> r = replicator_solve(pd, steps=5000, dt=0.5)
    >>> r.converged, [p.round(6).tolist() for p in r.equilibria[0].profile]
    (True, [[0.0, 1.0], [0.0, 1.0]])
    >>> bool(r.equilibria[0].max_regret < 1e-6)
    True
    """
    func = "replicator_solve"
    _check_common(func, game, steps, tol)
    every = _record_every(func, record_every, steps)
    if not (isinstance(dt, (int, float)) and np.isfinite(dt) and dt > 0):
        raise SolverError(f"{func}(): dt must be a positive finite number; got {dt!r}")
    x = _start_profile(func, game, start)
    # Time is measured on payoffs scaled to spread 1, so dt means the same for any payoff unit.
    scaled = game.payoffs / game.payoff_scale
    with np.errstate(divide="ignore"):
        y = tuple(np.log(s) for s in x)
    trajectory = [[] for _ in x]
    recorded, speeds = [], []

    def record(step, state, speed):
        recorded.append(step)
        speeds.append(speed)
        for t, s in zip(trajectory, state):
            t.append(s.copy())

    converged = False
    taken = 0
    for _ in range(steps):
        v = _log_velocity(scaled, x)
        speed = max(float(np.max(np.abs(s * vi))) for s, vi in zip(x, v))
        if taken % every == 0:
            record(taken, x, speed)
        if speed <= tol:
            converged = True
            break

        def field(yy):
            return _log_velocity(scaled, tuple(_softmax(c) for c in yy))

        k1 = v
        k2 = field(tuple(c + 0.5 * dt * k for c, k in zip(y, k1)))
        k3 = field(tuple(c + 0.5 * dt * k for c, k in zip(y, k2)))
        k4 = field(tuple(c + dt * k for c, k in zip(y, k3)))
        y = tuple(c + dt / 6.0 * (a + 2 * b + 2 * cc + d)
                  for c, a, b, cc, d in zip(y, k1, k2, k3, k4))
        # Shift each log vector so its largest entry is 0: keeps exp() in range on long runs.
        y = tuple(c - c.max() for c in y)
        x = tuple(_softmax(c) for c in y)
        taken += 1
    else:
        # The loop used its budget: check the final point too, it may be a rest point.
        v = _log_velocity(scaled, x)
        speed = max(float(np.max(np.abs(s * vi))) for s, vi in zip(x, v))
        converged = speed <= tol
    if recorded[-1] != taken:
        record(taken, x, speed)  # the final state is always recorded
    eq = Equilibrium.certify(game, x, method="replicator", converged=converged)
    return SolverResult(
        "replicator", game, (eq,),
        {"start": None if start is None else [np.asarray(s, float).tolist() for s in start],
         "steps": steps, "dt": dt, "tol": tol, "record_every": every},
        complete=False, converged=converged,
        details={"trajectory": tuple(np.array(t) for t in trajectory), "step": np.array(recorded),
                 "speed": np.array(speeds), "time": taken * dt, "steps_taken": taken},
    )


# ----- fictitious play ----------------------------------------------------------------------------

def fictitious_play_solve(game: NormalFormGame, start=None, steps: int = 10_000,
                          tol: float = 1e-3, record_every: int | None = None) -> SolverResult:
    """Simultaneous fictitious play with beliefs equal to empirical frequencies.

    Brown (1951); convergence of the empirical frequencies in two-player zero-sum games:
    Robinson (1951); non-convergence in Shapley's (1964) 3x3 game. Each player's record starts
    as ``start`` (weight one, as one observed round; uniform by default). At every round all
    players at once play a pure best response to the others' empirical frequencies, ties broken
    towards the lowest action index (within ``1e-12`` of the payoff scale), and the play is added
    to the record. The run stops when the regret of the empirical profile is at most ``tol``
    times the payoff scale.

    Parameters
    ----------
    game : NormalFormGame
    start : mixed profile, optional
        Initial record (the first "observed" round); uniform by default.
    steps : int
        Largest number of rounds.
    tol : float
        Regret tolerance relative to the payoff scale.
    record_every : int or None
        Record the empirical profile every this many rounds (the start and the final profile
        always). By default ``ceil(steps / 200)``, about 200 rows; ``1`` records every round.

    Returns
    -------
    SolverResult
        One equilibrium candidate: the final empirical profile with its measured regret;
        ``converged`` tells whether its regret met ``tol``. ``details["trajectory"]`` is a tuple
        of ``(T, n_i)`` arrays of recorded empirical frequencies, ``details["step"]`` the round
        of each row, ``details["regret"]`` the max regret of each of those profiles (absolute, in
        payoff units) and ``details["plays"]`` the ``(T-1, N)`` actions played in the round that
        led to each recorded profile after the start (every round's play with ``record_every=1``).

    Examples
    --------
    Matching pennies: the empirical frequencies approach (1/2, 1/2), the value 0.

    >>> from sim.game import NormalFormGame
    >>> mp = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    >>> r = fictitious_play_solve(mp, start=([1, 0], [1, 0]), steps=4000, tol=1e-2)
    >>> r.converged, bool(abs(r.equilibria[0].payoffs[0]) < 0.02)
    (True, True)
    """
    func = "fictitious_play_solve"
    _check_common(func, game, steps, tol)
    every = _record_every(func, record_every, steps)
    counts = list(_start_profile(func, game, start))
    n = game.n_players
    scale = game.payoff_scale
    tie = 1e-12 * scale
    weight = 1.0
    x = tuple(c / weight for c in counts)
    trajectory = [[] for _ in x]
    recorded, regrets, plays = [], [], []

    def record(step, state, regret, play):
        recorded.append(step)
        regrets.append(regret)
        if play is not None:
            plays.append(play)
        for t, s in zip(trajectory, state):
            t.append(s.copy())

    converged = False
    taken = 0
    br = None
    for _ in range(steps):
        dev = deviation_payoffs(game.payoffs, x)
        regret = max(max(0.0, float(d.max() - d @ s)) for d, s in zip(dev, x))
        if taken % every == 0:
            record(taken, x, regret, br)
        if regret <= tol * scale:
            converged = True
            break
        # Lowest index among the near-best actions: deterministic, independent of round-off order.
        br = [int(np.flatnonzero(d >= d.max() - tie)[0]) for d in dev]
        for i in range(n):
            counts[i][br[i]] += 1.0
        weight += 1.0
        x = tuple(c / weight for c in counts)
        taken += 1
    else:
        dev = deviation_payoffs(game.payoffs, x)
        regret = max(max(0.0, float(d.max() - d @ s)) for d, s in zip(dev, x))
        converged = regret <= tol * scale
    if recorded[-1] != taken:
        record(taken, x, regret, br)  # the final profile is always recorded
    eq = Equilibrium.certify(game, x, method="fictitious_play", converged=converged)
    return SolverResult(
        "fictitious_play", game, (eq,),
        {"start": None if start is None else [np.asarray(s, float).tolist() for s in start],
         "steps": steps, "tol": tol, "record_every": every},
        complete=False, converged=converged,
        details={"trajectory": tuple(np.array(t) for t in trajectory), "step": np.array(recorded),
                 "regret": np.array(regrets), "plays": np.array(plays, dtype=int).reshape(-1, n),
                 "steps_taken": taken},
    )
