"""Hypothesis strategies shared by the test suite (one module, as STYLE.md asks).

``games()`` draws generic games (continuous payoffs, so ties have probability zero);
``degenerate_games()`` draws games with small integer payoffs, where ties and degeneracy are common.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.game import NormalFormGame


@st.composite
def game_shapes(draw, min_players=2, max_players=4, min_actions=1, max_actions=3, max_profiles=81):
    n = draw(st.integers(min_players, max_players))
    shape = tuple(draw(st.integers(min_actions, max_actions)) for _ in range(n))
    if int(np.prod(shape)) > max_profiles:
        shape = tuple(min(s, 2) for s in shape)
    return shape


@st.composite
def games(draw, shape=None, **shape_kw):
    """Generic games: payoffs drawn uniformly from a seeded generator (ties have probability 0)."""
    shape = draw(game_shapes(**shape_kw)) if shape is None else tuple(shape)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    payoffs = rng.uniform(-10, 10, size=(*shape, len(shape)))
    return NormalFormGame.from_payoffs(payoffs)


@st.composite
def degenerate_games(draw, shape=None, **shape_kw):
    """Games with payoffs in a few small integers: ties, weak dominance and continua are common."""
    shape = draw(game_shapes(**shape_kw)) if shape is None else tuple(shape)
    payoffs = draw(hnp.arrays(np.int64, (*shape, len(shape)), elements=st.integers(-2, 2)))
    return NormalFormGame.from_payoffs(payoffs.astype(float))


def bimatrix_games(min_actions=1, max_actions=4, degenerate=False):
    """Two-player games, generic or degenerate."""
    kw = dict(min_players=2, max_players=2, min_actions=min_actions, max_actions=max_actions, max_profiles=10**6)
    return degenerate_games(**kw) if degenerate else games(**kw)


@st.composite
def mixed_profiles(draw, game):
    """A mixed profile of ``game`` (some strategies pure, some interior)."""
    out = []
    for n in game.shape:
        w = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
        if w.sum() <= 1e-6:
            w = np.ones(n)
        out.append(w / w.sum())
    return tuple(out)
