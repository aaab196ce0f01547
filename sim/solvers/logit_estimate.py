"""Maximum-likelihood estimation of the logit QRE precision ``lambda`` from observed choices.

Given how often each player was seen to choose each action (``counts[i][a]``), the log-likelihood
of a precision ``lambda`` is ``L(lambda) = sum_i sum_a counts[i][a] * log p_i[a](lambda)``, where
``p(lambda)`` is the logit QRE on the principal branch (:func:`sim.solvers.logit.logit_solve`;
McKelvey and Palfrey 1995, section 5, who fit lambda to experimental data this way). The estimate
maximises ``L`` along the branch, as Gambit's ``logit_estimate`` does (Turocy 2005; Bland and
Turocy 2023, "Quantal response equilibrium as a structural model for estimation: the missing
manual"): the branch is traced once, ``L`` is evaluated at every traced point, and the best one
is refined by bounded scalar search on the QRE at given ``lambda``.

The confidence interval is the profile-likelihood (likelihood-ratio) interval: every ``lambda``
with ``2 (L(lambda_hat) - L(lambda)) <= chi2_1(conf_level)`` (Wilks 1938; Pawitan 2001, "In All
Likelihood", section 2.6), its ends found by Brent's method. An end is ``0`` when the whole
segment down to ``lambda = 0`` stays inside, and ``inf`` when ``L`` never falls far enough before
the branch reaches its Nash limit (the data cannot rule out fully rational play).

``lambda`` is in the game's payoff units (as :func:`~sim.solvers.logit.logit_solve` and Gambit
take it); the branch is parametrised by ``lambda`` at its first crossing, so on a branch that
bends back the later crossings are not considered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim._arrays import readonly
from sim.errors import SolverError
from sim.game import NormalFormGame

DEFAULT_CONF_LEVEL = 0.95
DEFAULT_MAX_LAMBDA = 1e6
_TINY = 1e-300


@dataclass(frozen=True)
class LogitEstimate:
    """The fitted precision, the QRE there, its log-likelihood and a likelihood-ratio interval.

    ``at_limit`` says the likelihood still rose where the branch reached its Nash limit (or
    ``max_lambda``): the estimate is then a lower bound, and ``interval[1]`` is ``inf``.
    """

    lam: float
    log_like: float
    profile: tuple[np.ndarray, ...]
    interval: tuple[float, float]
    conf_level: float
    counts: tuple[np.ndarray, ...]
    at_limit: bool

    def to_dict(self, game: NormalFormGame | None = None) -> dict:
        def num(x):
            return float(x) if math.isfinite(x) else None

        out = {"lambda": num(self.lam), "log_likelihood": num(self.log_like), "conf_level": self.conf_level,
               "interval": [num(self.interval[0]), num(self.interval[1])], "at_limit": self.at_limit,
               "profile": [p.tolist() for p in self.profile], "counts": [c.tolist() for c in self.counts]}
        if game is not None:
            out["players"] = list(game.players)
            out["actions"] = [list(a) for a in game.actions]
        return out


def _check_counts(game: NormalFormGame, counts) -> tuple[np.ndarray, ...]:
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"logit_estimate(): game must be a NormalFormGame; got {type(game).__name__}")
    counts = list(counts)
    if len(counts) != game.n_players:
        raise SolverError(f"logit_estimate(): counts must give one list per player ({game.n_players}); "
                          f"got {len(counts)}")
    out = []
    for i, c in enumerate(counts):
        c = np.asarray(c, dtype=float)
        if c.shape != (game.shape[i],) or not np.isfinite(c).all() or (c < 0).any():
            raise SolverError(f"logit_estimate(): counts of {game.players[i]} must be {game.shape[i]} "
                              f"non-negative numbers; got {np.asarray(counts[i]).tolist()}")
        out.append(readonly(c))
    if sum(c.sum() for c in out) <= 0:
        raise SolverError("logit_estimate(): counts must include at least one observation; got all zeros")
    return tuple(out)


def log_likelihood(counts, profile) -> float:
    """``sum_i sum_a counts[i][a] * log profile[i][a]`` (``0 * log 0 = 0``).

    Examples
    --------
    >>> round(log_likelihood([[3, 1]], [np.array([0.75, 0.25])]), 6)
    -2.249341
    """
    total = 0.0
    for c, p in zip(counts, profile):
        c = np.asarray(c, dtype=float)
        p = np.asarray(p, dtype=float)
        used = c > 0
        total += float(np.sum(c[used] * np.log(np.maximum(p[used], _TINY))))
    return total


def profile_likelihood_peak(lams, like, loglik, conf_level: float):
    """The maximum of a log-likelihood traced along a QRE branch and its profile-likelihood interval.

    ``like[k]`` is ``loglik(lams[k])`` at the traced points (``lams`` increasing). The maximum is
    refined between the traced neighbours of the best point (bounded Brent); the interval is the
    connected set around it where the log-likelihood stays within ``chi2(1).ppf(conf_level) / 2``
    of the maximum (Wilks), each end found by Brent's root finder between the estimate and the
    nearest traced point outside (0 where none is below; infinity where none is above, or where
    the maximum is at the branch's end). A likelihood that dips below the cut and rises again
    towards ``lambda = 0`` leaves that lower stretch out. Returns ``(k, lam_hat, best,
    (lower, upper))``, ``k`` the best traced point; shared by :func:`logit_estimate` and
    :func:`sim.extensive.logit_estimate.agent_logit_estimate`.

    Examples
    --------
    >>> lams = np.linspace(0.0, 4.0, 9)
    >>> k, lam_hat, best, (lo, hi) = profile_likelihood_peak(lams, -(lams - 2.0) ** 2,
    ...                                                      lambda x: -(x - 2.0) ** 2, 0.95)
    >>> round(lam_hat, 6), round(lo, 4), round(hi, 4)  # 2 -+ sqrt(chi2(1).ppf(0.95) / 2)
    (2.0, 0.6141, 3.3859)
    """
    from scipy.optimize import brentq, minimize_scalar
    from scipy.stats import chi2

    k = int(np.argmax(like))
    at_limit = k == len(lams) - 1 and len(lams) > 1
    if at_limit or len(lams) == 1:
        lam_hat, best = float(lams[k]), float(like[k])
    else:
        lo, hi = float(lams[max(k - 1, 0)]), float(lams[k + 1])
        r = minimize_scalar(lambda x: -loglik(x), bounds=(lo, hi), method="bounded",
                            options={"xatol": 1e-10 * max(1.0, hi)})
        lam_hat, best = (float(r.x), -float(r.fun)) if -r.fun >= like[k] else (float(lams[k]), float(like[k]))
    cut = best - chi2.ppf(conf_level, 1) / 2

    def gap(lam):
        return loglik(lam) - cut

    outside = like < cut
    below = np.flatnonzero((lams < lam_hat) & outside)
    if len(below):
        lower = float(brentq(gap, float(lams[below[-1]]), lam_hat, xtol=1e-10))
    elif gap(0.0) >= 0:
        lower = 0.0
    else:
        lower = float(brentq(gap, 0.0, lam_hat, xtol=1e-10))
    above = np.flatnonzero((lams > lam_hat) & outside)
    upper = math.inf if at_limit or not len(above) else float(brentq(gap, lam_hat, float(lams[above[0]]),
                                                                        xtol=1e-10))
    return k, lam_hat, best, (lower, upper)


def logit_estimate(game: NormalFormGame, counts, *, conf_level: float = DEFAULT_CONF_LEVEL,
                   max_lambda: float = DEFAULT_MAX_LAMBDA) -> LogitEstimate:
    """Maximum-likelihood ``lambda`` of the logit QRE from counts of observed actions.

    Parameters
    ----------
    game : NormalFormGame
    counts : sequence of sequences
        ``counts[i][a]``: how often player ``i`` was seen to play action ``a`` (any non-negative
        numbers; frequencies give the same estimate, but the interval needs counts).
    conf_level : float
        Coverage of the profile-likelihood interval, in (0, 1).
    max_lambda : float
        Largest precision considered.

    Returns
    -------
    LogitEstimate

    Examples
    --------
    Counts generated exactly at ``lambda = 1.5`` give back 1.5:

    >>> from sim.solvers.logit import logit_solve
    >>> g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[0, 1], [1, 0]])
    >>> p = logit_solve(g, lam=1.5).equilibria[0].profile
    >>> est = logit_estimate(g, [1000 * p[0], 1000 * p[1]])
    >>> round(est.lam, 4), est.interval[0] < 1.5 < est.interval[1]
    (1.5, True)
    """
    from sim.solvers.logit import logit_solve

    counts = _check_counts(game, counts)
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise SolverError(f"logit_estimate(): conf_level must be in (0, 1); got {conf_level!r}")
    if not (isinstance(max_lambda, (int, float)) and max_lambda > 0 and math.isfinite(max_lambda)):
        raise SolverError(f"logit_estimate(): max_lambda must be a finite number > 0; got {max_lambda!r}")

    branch = logit_solve(game, max_lambda=max_lambda)
    lams = np.asarray(branch.details["lambdas"], dtype=float)
    profiles = branch.details["profiles"]
    like = np.array([log_likelihood(counts, [p[k] for p in profiles]) for k in range(len(lams))])
    # First crossings only: keep the points where lambda is a new maximum (a monotone branch keeps all).
    forward = np.flatnonzero(lams >= np.maximum.accumulate(lams))
    lams, like = lams[forward], like[forward]

    def qre(lam):
        return logit_solve(game, lam=float(lam), max_lambda=max_lambda).equilibria[0].profile

    k, lam_hat, best, interval = profile_likelihood_peak(lams, like, lambda x: log_likelihood(counts, qre(x)),
                                                          conf_level)
    at_limit = k == len(lams) - 1
    profile = tuple(readonly(np.asarray(p, dtype=float)) for p in
                    ([p[forward[k]] for p in profiles] if at_limit else qre(lam_hat)))
    return LogitEstimate(lam_hat, best, profile, interval, float(conf_level), counts, at_limit)


# ----------------------------------------------------------------------------------------------
# lambda and goal weights together

#: Inner optimisations of the profile likelihood stop at this relative change of the likelihood.
_PROFILE_XATOL = 1e-7


@dataclass(frozen=True)
class WeightsEstimate:
    """Joint maximum-likelihood ``lambda`` and parameters (goal weights), with one
    profile-likelihood interval each (see :func:`logit_estimate_weights`).

    ``names`` are the estimated parameters, ``values`` their estimates and ``intervals`` theirs;
    ``lam_interval`` is lambda's. ``fixed`` holds every other parameter's value, the
    normalisation that makes lambda and the weights separately identified.
    """

    lam: float
    lam_interval: tuple[float, float]
    names: tuple[str, ...]
    values: tuple[float, ...]
    intervals: tuple[tuple[float, float], ...]
    log_like: float
    profile: tuple[np.ndarray, ...]
    conf_level: float
    counts: tuple[np.ndarray, ...]
    fixed: dict

    def to_dict(self) -> dict:
        def num(x):
            return float(x) if math.isfinite(x) else None

        return {"lambda": num(self.lam), "lambda_interval": [num(x) for x in self.lam_interval],
                "weights": {n: {"value": num(v), "interval": [num(a), num(b)]}
                            for n, v, (a, b) in zip(self.names, self.values, self.intervals)},
                "log_likelihood": num(self.log_like), "conf_level": self.conf_level,
                "profile": [p.tolist() for p in self.profile], "counts": [c.tolist() for c in self.counts],
                "fixed": dict(self.fixed)}


def logit_estimate_weights(compiled, counts, names, *, fixed=None, conf_level: float = DEFAULT_CONF_LEVEL,
                           max_lambda: float = 1e3) -> WeightsEstimate:
    """Maximum-likelihood ``lambda`` and parameters ``names`` of a simultaneous scenario together.

    The log-likelihood of ``(lambda, w)`` is that of :func:`logit_estimate` on the game at ``w``:
    ``L = sum counts * log p(lambda, w)`` with ``p`` the logit QRE on the principal branch. It is
    maximised over both (Nelder-Mead from lambda's own estimate at the parameters' values; the
    weights within their bounds, lambda in ``[0, max_lambda]``). Each interval is a
    profile-likelihood one: every value whose profile log-likelihood (the others re-maximised) is
    within ``chi2_1(conf_level) / 2`` of the maximum (Pawitan 2001, section 3.4); an end at a
    bound means the data do not exclude it.

    Identifiability. The QRE depends on ``lambda * u``: scaling every payoff term by ``c`` and
    lambda by ``1 / c`` changes nothing. The parameters not estimated fix the scale: they must
    leave some player's payoffs depending on the player's own action when the estimated ones are
    zero, else the call is refused. The estimated parameters must enter payoffs affinely (a goal
    weight, or a rule value): products of two of them are refused.

    Parameters
    ----------
    compiled : CompiledScenario
        A simultaneous scenario.
    counts : sequence of sequences
        ``counts[i][a]`` as for :func:`logit_estimate`.
    names : sequence of str
        The parameters to estimate (each with finite bounds).
    fixed : mapping, optional
        Values of other parameters (the rest stay at their defaults).

    Returns
    -------
    WeightsEstimate

    Examples
    --------
    Counts generated exactly at ``lambda = 2`` and ``w = 1.5`` give both back:

    >>> from sim.scenario import compile_scenario, loads_scenario
    >>> c = compile_scenario(loads_scenario('''
    ... [scenario]
    ... id = "m"
    ... title = "Matching"
    ... timing = "simultaneous"
    ... [parameters]
    ... w = { default = 1, min = 0, max = 4 }
    ... [players.A]
    ... actions = ["x", "y"]
    ... [players.B]
    ... actions = ["x", "y"]
    ... [[goals]]
    ... player = "A"
    ... name = "match_x"
    ... weight = "w"
    ... rules = [{ when = { A = "x", B = "x" }, value = 1 }]
    ... [[goals]]
    ... player = "A"
    ... name = "match_y"
    ... weight = 1
    ... rules = [{ when = { A = "y", B = "y" }, value = 1 }]
    ... [[goals]]
    ... player = "B"
    ... name = "differ"
    ... weight = 1
    ... rules = [{ when = { A = "x", B = "y" }, value = 1 }, { when = { A = "y", B = "x" }, value = 1 }]
    ... '''))
    >>> from sim.solvers.logit import logit_solve
    >>> p = logit_solve(c.game({"w": 1.5}), lam=2.0).equilibria[0].profile
    >>> est = logit_estimate_weights(c, [10000 * p[0], 10000 * p[1]], ["w"])
    >>> round(est.lam, 3), round(est.values[0], 3)
    (2.0, 1.5)
    """
    from scipy.optimize import brentq, minimize
    from scipy.stats import chi2

    from sim.solvers.logit import logit_solve

    if compiled.sequential:
        raise SolverError("logit_estimate_weights(): the scenario must be simultaneous (a normal-form game); "
                          f"got a sequential timing in {compiled.scenario.id!r}")
    names = list(dict.fromkeys(names))
    params = compiled.parameter_names
    if not names:
        raise SolverError("logit_estimate_weights(): name at least one parameter to estimate; got none")
    fixed = dict(fixed or {})
    for n in names:
        if n not in params:
            raise SolverError(f"logit_estimate_weights(): unknown parameter; parameters are {list(params)} (got {n!r})")
        if n in fixed:
            raise SolverError(f"logit_estimate_weights(): {n!r} is both estimated and fixed")
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise SolverError(f"logit_estimate_weights(): conf_level must be in (0, 1); got {conf_level!r}")
    idx = [params.index(n) for n in names]
    lower = np.array([compiled.lower[k] for k in idx], dtype=float)
    upper = np.array([compiled.upper[k] for k in idx], dtype=float)
    if not (np.isfinite(lower).all() and np.isfinite(upper).all() and (upper > lower).all()):
        bad = [n for n, a, b in zip(names, lower, upper) if not (math.isfinite(a) and math.isfinite(b) and b > a)]
        raise SolverError(f"logit_estimate_weights(): estimated parameters need finite bounds min < max (got {bad})")
    base = np.asarray(compiled.point(fixed), dtype=float)

    def point(w):
        x = base.copy()
        x[idx] = w
        return x

    def payoffs(w):
        return np.asarray(compiled.payoffs(point(w)[None]))[0]

    # affine in the estimated parameters: every second difference vanishes
    w0 = base[idx]
    p0 = payoffs(w0)
    tol = 1e-9 * max(1.0, float(np.abs(p0).max()))
    eye = np.eye(len(idx))
    for j in range(len(idx)):
        for k in range(j, len(idx)):
            second = payoffs(w0 + eye[j] + eye[k]) - payoffs(w0 + eye[j]) - payoffs(w0 + eye[k]) + p0
            if np.abs(second).max() > tol * 10:
                raise SolverError("logit_estimate_weights(): the estimated parameters must enter payoffs affinely; "
                                  f"{names[j]!r} and {names[k]!r} multiply (estimate one of them)")
    # the scale: with the estimated parameters at zero, some player's payoff must still vary with its own action
    zero = payoffs(np.zeros(len(idx)))
    game0 = compiled.game(dict(zip(params, point(np.zeros(len(idx))).tolist())))
    spread = max(float(np.ptp(zero[..., i], axis=i).max()) for i in range(game0.n_players))
    if spread <= tol:
        raise SolverError("logit_estimate_weights(): lambda and the weights are not separately identified (the QRE "
                          "depends on lambda times the payoffs): with the estimated parameters at 0 no player's "
                          f"payoff depends on its own action; fix one of {names} to set the scale")
    counts = _check_counts(game0, counts)

    def loglik(theta) -> float:
        lam, w = float(theta[0]), np.clip(theta[1:], lower, upper)
        if lam < 0:
            return -math.inf
        game = compiled.game(dict(zip(params, point(w).tolist())))
        return log_likelihood(counts, logit_solve(game, lam=lam, max_lambda=max(max_lambda, lam)).equilibria[0].profile)

    bounds = [(0.0, max_lambda)] + list(zip(lower.tolist(), upper.tolist()))

    def fit(start, keep: int | None = None, value: float | None = None):
        """Maximise L over every coordinate but ``keep`` (held at ``value``); (best L, theta)."""
        free = [k for k in range(len(start)) if k != keep]

        def full(z):
            theta = np.array(start, dtype=float)
            theta[free] = z
            if keep is not None:
                theta[keep] = value
            return theta

        r = minimize(lambda z: -loglik(full(z)), np.asarray(start, dtype=float)[free], method="Nelder-Mead",
                     bounds=[bounds[k] for k in free],
                     options={"xatol": _PROFILE_XATOL, "fatol": 1e-10, "maxiter": 4000})
        return -float(r.fun), full(r.x)

    start = logit_estimate(compiled.game(dict(zip(params, point(w0).tolist()))), counts, max_lambda=max_lambda).lam
    best, theta = fit([min(start, max_lambda), *np.clip(w0, lower, upper)])
    for _ in range(2):  # restart where the simplex stopped: Nelder-Mead can stall on a ridge
        again, theta2 = fit(theta)
        if again <= best + 1e-10:
            break
        best, theta = again, theta2
    cut = best - chi2.ppf(conf_level, 1) / 2

    def ends(k):
        """Profile-likelihood interval of coordinate ``k`` (lambda is 0)."""
        lo_b, hi_b = bounds[k]
        out = []
        for edge in (lo_b, hi_b):
            def gap(v):
                return fit(theta, k, v)[0] - cut if len(theta) > 1 else loglik([v]) - cut

            if gap(edge) >= 0:
                out.append(float(edge) if k or edge == 0 else math.inf)
            else:
                out.append(float(brentq(gap, edge, float(theta[k]), xtol=1e-6 * max(1.0, abs(theta[k])))))
        return out[0], out[1]

    intervals = [ends(k) for k in range(len(theta))]
    lam_hat, w_hat = float(theta[0]), tuple(float(v) for v in theta[1:])
    game = compiled.game(dict(zip(params, point(np.array(w_hat)).tolist())))
    profile = tuple(readonly(np.asarray(p, dtype=float)) for p in logit_solve(game, lam=lam_hat).equilibria[0].profile)
    return WeightsEstimate(lam_hat, intervals[0], tuple(names), w_hat, tuple(intervals[1:]), best, profile,
                           float(conf_level), counts,
                           {n: float(base[k]) for k, n in enumerate(params) if k not in idx})
