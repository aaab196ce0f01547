"""Bounded work: a search too large to finish is refused before it starts, and a bounded method
answers instead (issue 15, section 3).

No test here times anything (speed belongs in benchmarks/); each asserts what the bounded route
returns: a certified equilibrium, ``complete=False`` and the reason in a field.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim.game import NormalFormGame
from sim.solvers.budget import MAX_VERTICES, bimatrix_vertex_bound, polytope_vertex_bound, support_profiles
from sim.solvers.stage import stage_equilibria

GAMBIT = Path(__file__).parent / "data" / "gambit"
PENNIES = NormalFormGame.zero_sum([[1, -1], [-1, 1]])


# ----- the bound itself ------------------------------------------------------------------------------
def test_vertex_bound_is_mcmullens_on_known_polytopes():
    assert polytope_vertex_bound(2, 5) == 5  # a pentagon
    assert polytope_vertex_bound(3, 6) == 8  # the cube
    assert polytope_vertex_bound(4, 8) == 20  # dual of the cyclic polytope C(8, 4): 8 * 5 / 2 facets; the 4-cube has 16
    assert polytope_vertex_bound(1, 2) == 2  # a segment
    assert support_profiles((2, 2, 2)) == 27


@pytest.mark.parametrize("seed", range(6))
def test_no_game_has_more_vertices_than_the_bound(seed):
    """The exhaustive route counts every vertex; none may exceed the a-priori bound."""
    from sim.solvers.mixed import _polytope_constraints, _unit_range, _vertices_by_bases

    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    # Integer payoffs in a small range: many ties, degenerate polytopes included.
    A, B = rng.integers(0, 3, (m, n)).astype(float), rng.integers(0, 3, (m, n)).astype(float)
    (G_P, h_P), (G_Q, h_Q) = _polytope_constraints(_unit_range(A), _unit_range(B))
    vp = len(_vertices_by_bases(G_P, h_P, 1e-9)[0])
    vq = len(_vertices_by_bases(G_Q, h_Q, 1e-9)[0])
    assert vp <= polytope_vertex_bound(m, m + n) and vq <= polytope_vertex_bound(n, m + n)
    assert vp + vq <= bimatrix_vertex_bound(m, n)


# ----- stage_equilibria: refuse, then one equilibrium --------------------------------------------------
def test_two_players_over_the_vertex_bound_get_one_lemke_howson_equilibrium():
    r = stage_equilibria(PENNIES, max_vertices=4)  # matching pennies: bound 8
    assert r.solvers == ("enumpure", "lcp") and not r.complete
    assert "max_vertices=4" in r.reason and "not started" in r.reason
    (eq,) = r.equilibria
    np.testing.assert_allclose(eq.profile[0], [0.5, 0.5], atol=1e-12)
    assert eq.max_regret <= 1e-12
    full = stage_equilibria(PENNIES)  # under the default bound: the whole set, as before
    assert full.solvers == ("enumpure", "enummixed") and full.complete


def test_a_pure_equilibrium_is_answer_enough_when_the_mixed_search_is_refused():
    bos = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    r = stage_equilibria(bos, max_vertices=4)
    assert not r.complete and [e.pure_profile for e in r.equilibria] == [(0, 0), (1, 1)]


# ----- 4cards, as Gambit ships it and mutated ---------------------------------------------------------
def _mutated(text: str, seed: int) -> str:
    """4cards with a few terminal payoffs changed (the outcome lines ``{ a, b }``)."""
    rng = np.random.default_rng(seed)
    lines = text.splitlines()
    outcome = [k for k, line in enumerate(lines) if line.startswith("t ") and "{" in line]
    for k in rng.choice(outcome, size=4, replace=False):
        a, b = rng.integers(-3, 5, 2)
        lines[k] = re.sub(r"\{[^}]*\}", f"{{ {a}, {b} }}", lines[k])
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@pytest.mark.parametrize("seed", [None, 1, 2])
def test_4cards_answers_with_one_certified_equilibrium_and_says_why_incomplete(seed):
    from sim.extensive.spe import spe_solve
    from sim.formats.efg import parse_efg

    text = (GAMBIT / "4cards.efg").read_text()
    game = parse_efg(text if seed is None else _mutated(text, seed))
    nf = game.reduced_normal_form()
    assert bimatrix_vertex_bound(*nf.shape) > MAX_VERTICES  # 81x256
    r = spe_solve(game)
    assert not r.complete and r.equilibria
    assert "max_vertices" in r.details["incomplete_reason"]
    assert all(e.max_regret <= 1e-7 * nf.payoff_scale for e in r.equilibria)


# ----- many pure equilibria: one vectorised certification ---------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_vectorised_pure_certification_equals_the_per_profile_one(seed):
    """Every pure profile of random games (ties included), certified both ways: same numbers."""
    from sim.result import Equilibrium

    rng = np.random.default_rng(seed)
    n_players = int(rng.integers(1, 5))
    shape = tuple(int(k) for k in rng.integers(1, 4, n_players))
    scale = 10.0 ** rng.integers(-300, 300) if seed % 2 else 1.0
    g = NormalFormGame.from_payoffs(rng.integers(-2, 3, (*shape, n_players)) * scale)
    profiles = np.array(list(np.ndindex(*shape)), dtype=int)
    fast = Equilibrium.certify_pure_many(g, profiles)
    for row, e in zip(profiles, fast):
        slow = Equilibrium.certify(g, [np.eye(k)[a] for k, a in zip(shape, row)])
        assert e.max_regret == slow.max_regret
        assert e.payoffs.tolist() == slow.payoffs.tolist() and e.support == slow.support
        assert all(np.array_equal(x, y) for x, y in zip(e.profile, slow.profile))
        assert e.pure_profile == tuple(int(a) for a in row)


def test_vectorised_pure_certification_refuses_bad_profiles():
    from sim.errors import GameError
    from sim.result import Equilibrium

    with pytest.raises(GameError, match=r"certify_pure_many\(\): profiles must be integers of shape \(K, 2\)"):
        Equilibrium.certify_pure_many(PENNIES, [[0, 0, 0]])
    with pytest.raises(GameError, match=r"certify_pure_many\(\): an action index is outside"):
        Equilibrium.certify_pure_many(PENNIES, [[0, 2]])
    assert Equilibrium.certify_pure_many(PENNIES, np.zeros((0, 2), dtype=int)) == ()


def _unanimity_scenario(n: int) -> str:
    """``n`` players with two actions, each rewarded only when all choose alike: every profile
    where at least two players differ from the rest is an equilibrium (no single move restores
    unanimity), so ``2**n - 2n`` of them."""
    players = [f"P{i}" for i in range(n)]
    lines = ["[scenario]", 'id = "unanimity"', 'title = "All alike or nothing"', 'timing = "simultaneous"', ""]
    for p in players:
        lines += [f"[players.{p}]", 'actions = ["a", "b"]', ""]
    same = ["{ " + ", ".join(f'{p} = "{x}"' for p in players) + " }" for x in "ab"]
    for p in players:
        lines += ["[[goals]]", f'player = "{p}"', 'name = "unanimity"', "weight = 1",
                  f"rules = [{{ when = {same[0]}, value = 1 }}, {{ when = {same[1]}, value = 1 }}]", ""]
    return "\n".join(lines)


@pytest.mark.slow
def test_sixteen_players_with_65504_pure_equilibria_are_solved(tmp_path):
    from sim.scenario import compile_scenario, load_scenario
    from sim.solvers.pure import enumpure_solve

    path = tmp_path / "unanimity.toml"
    path.write_text(_unanimity_scenario(16))
    game = compile_scenario(load_scenario(path)).normal_form()
    assert game.shape == (2,) * 16
    r = enumpure_solve(game)
    assert r.complete and len(r.equilibria) == 2 ** 16 - 32
    assert all(e.max_regret == 0.0 for e in r.equilibria)
    assert r.equilibria[0].pure_profile == (0,) * 16 and r.equilibria[-1].pure_profile == (1,) * 16
    lone = {tuple(int(k == j) for k in range(16)) for j in range(16)}  # one player apart: not equilibria
    assert lone.isdisjoint(e.pure_profile for e in r.equilibria)


# ----- a subgame with more equilibria than max_equilibria: refused, as in perfect information -------
@pytest.mark.slow
def test_a_subgame_with_too_many_equilibria_is_refused_not_truncated():
    """Gambit's chain store (cs.efg) has a subgame with 84,992 pure equilibria (ties): spe used
    to keep the first 10,000 and then certify each combination for many minutes."""
    from sim.errors import SolverError
    from sim.extensive.spe import spe_solve
    from sim.formats.efg import read_efg

    with pytest.raises(SolverError, match=r"spe_solve\(\): a subgame has 84,992 equilibria, more than "
                                          r"max_equilibria=10000"):
        spe_solve(read_efg(GAMBIT / "cs.efg"))


# ----- tie-rich games: counted before they are listed ---------------------------------------------
def _peak_bytes(func):
    """``(result, peak bytes allocated while it ran)`` by tracemalloc (NumPy reports its buffers)."""
    import tracemalloc

    tracemalloc.start()
    try:
        out = func()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_pure_equilibria_beyond_max_equilibria_are_counted_not_built():
    # Every one of the 640,000 profiles of an all-zero 400x400x4 game is an equilibrium. Listing
    # them all took K * n_i floats per player in the certification (over 4 GB); the limit keeps
    # the first ones only, and the count is still exact. What remains is the mask's own work,
    # a small multiple of the game's 15 MB.
    from sim.solvers.pure import enumpure_solve

    g = NormalFormGame.from_payoffs(np.zeros((400, 400, 4, 3)))
    r, peak = _peak_bytes(lambda: enumpure_solve(g, max_equilibria=100))
    assert r.details["count"] == 640_000 and not r.complete and len(r.equilibria) == 100
    assert "640,000 pure equilibria, more than max_equilibria=100" in r.details["incomplete_reason"]
    assert [e.pure_profile for e in r.equilibria[:5]] == [(0, 0, k) for k in range(4)] + [(0, 1, 0)]
    assert peak < 400e6, peak
    full = enumpure_solve(NormalFormGame.from_payoffs(np.zeros((2, 3, 2, 3))), max_equilibria=12)
    assert full.complete and full.details["count"] == 12 and "incomplete_reason" not in full.details


def test_listing_many_pure_equilibria_costs_memory_per_equilibrium_not_per_deviation():
    # 24,000 pure equilibria of a 300x40x2 all-zero game: the old gather held 300 deviation payoffs
    # per equilibrium (two copies of 58 MB); one max over each player's axis holds the game's size.
    from sim.solvers.pure import enumpure_solve

    g = NormalFormGame.from_payoffs(np.zeros((300, 40, 2, 3)))
    r, peak = _peak_bytes(lambda: enumpure_solve(g))
    assert r.complete and len(r.equilibria) == 24_000 and r.details["count"] == 24_000
    assert all(e.max_regret == 0.0 for e in r.equilibria)
    assert peak < 45e6, peak


def test_stage_equilibria_stops_at_max_equilibria_before_the_mixed_search():
    g = NormalFormGame.from_payoffs(np.zeros((3, 3, 3, 3)))
    r = stage_equilibria(g, max_equilibria=10)
    assert r.n_pure == 27 and len(r.equilibria) == 10 and not r.complete
    assert r.solvers == ("enumpure",) and "more than max_equilibria=10" in r.reason
