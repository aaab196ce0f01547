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
    from scipy.optimize import brentq, minimize_scalar
    from scipy.stats import chi2

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

    def loglik(lam):
        return log_likelihood(counts, qre(lam))

    k = int(np.argmax(like))
    at_limit = k == len(lams) - 1
    if at_limit:
        lam_hat, best = float(lams[k]), float(like[k])
    else:
        lo, hi = float(lams[max(k - 1, 0)]), float(lams[k + 1])
        r = minimize_scalar(lambda x: -loglik(x), bounds=(lo, hi), method="bounded",
                            options={"xatol": 1e-10 * max(1.0, hi)})
        lam_hat, best = (float(r.x), -float(r.fun)) if -r.fun >= like[k] else (float(lams[k]), float(like[k]))
    cut = best - chi2.ppf(conf_level, 1) / 2

    def gap(lam):
        return loglik(lam) - cut

    # Each end lies between lam_hat (inside) and the nearest traced point outside (or 0).
    outside = like < cut
    below = np.flatnonzero((lams < lam_hat) & outside)
    if gap(0.0) >= 0:
        lower = 0.0
    else:
        start = float(lams[below[-1]]) if len(below) else 0.0
        lower = float(brentq(gap, start, lam_hat, xtol=1e-10))
    above = np.flatnonzero((lams > lam_hat) & outside)
    upper = math.inf if at_limit or not len(above) else float(brentq(gap, lam_hat, float(lams[above[0]]),
                                                                        xtol=1e-10))
    profile = tuple(readonly(np.asarray(p, dtype=float)) for p in
                    ([p[forward[k]] for p in profiles] if at_limit else qre(lam_hat)))
    return LogitEstimate(lam_hat, best, profile, (lower, upper), float(conf_level), counts, at_limit)
