"""Claims measured on equilibria: hand-checked small games, and the batched evaluation agreeing
with the per-point one everywhere."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from sim.claims import (
    batchable,
    default_method,
    evaluate_claim,
    evaluate_claims,
    evaluate_claims_batch,
)
from sim.errors import ScenarioError
from sim.scenario import compile_scenario, load_scenario, parse_scenario
from sim.scenario.claims import Claim, Condition, Gain
from tests.strategies import multi_move_scenario_docs

DATA = Path(__file__).parent / "data" / "claims"


def compiled(name: str):
    return compile_scenario(load_scenario(DATA / f"{name}.toml"))


def claim_of(c, cid: str) -> Claim:
    return next(x for x in c.scenario.claims if x.id == cid)


ENTRY = compiled("entry")


# ---- the entry game, by hand ------------------------------------------------------------------
# Defaults: fight_value = -0.5 < 1, so the incumbent shares after entry and the entrant (1.3 > 0)
# enters. With fight_value = 1.5 > 1 the incumbent would fight, and the entrant (-1 < 0) stays out.

def test_a_claim_that_holds_and_one_that_fails_at_the_defaults():
    v = evaluate_claim(ENTRY, claim_of(ENTRY, "entry_accommodated"))
    assert (v.verdict, v.method, len(v.equilibria)) == ("holds", "spe", 1)
    assert [c.value for c in v.equilibria[0].conditions] == [1.0]
    assert v.equilibria[0].regret == 0.0
    v = evaluate_claim(ENTRY, claim_of(ENTRY, "threat_deters"))
    assert v.verdict == "fails"
    assert [(c.holds, c.value) for c in v.equilibria[0].conditions] == [(False, 0.0), (False, 0.0)]


def test_after_reads_play_off_the_equilibrium_path():
    # With a tough incumbent the entrant stays out: the incumbent's fight is never played, yet
    # "after E = in, I fights" is read off its subgame-perfect strategy.
    v = evaluate_claim(ENTRY, claim_of(ENTRY, "threat_deters"), {"fight_value": 1.5})
    assert v.verdict == "holds"
    assert [(c.holds, c.value) for c in v.equilibria[0].conditions] == [(True, 1.0), (True, 1.0)]
    # Without the `after`, the incumbent's move is not reached: a path condition on it fails.
    unreached = Claim("x", "x", "q", (Condition(path=(("I", ("fight",)),)),))
    v = evaluate_claim(ENTRY, unreached, {"fight_value": 1.5})
    assert v.verdict == "fails" and v.equilibria[0].conditions[0].value == 0.0


def test_gain_compares_expected_payoffs():
    v = evaluate_claim(ENTRY, claim_of(ENTRY, "entrant_gains"))
    assert v.verdict == "holds" and v.equilibria[0].conditions[0].value == pytest.approx(1.3)
    v = evaluate_claim(ENTRY, claim_of(ENTRY, "entrant_gains"), {"entry_gain": 0.1, "fight_value": 1.5})
    # Out: the entrant gets 0, and "over in" it gets -1 (the incumbent fights): no gain of entering.
    assert v.verdict == "fails" and v.equilibria[0].conditions[0].value == pytest.approx(1.0 * 0 - 0.0)
    incumbent = Claim("y", "y", "q", (Condition(gain=Gain("I", (("I", "fight"),)), after=(("E", "in"),)),))
    v = evaluate_claim(ENTRY, incumbent)
    assert v.verdict == "holds" and v.equilibria[0].conditions[0].value == pytest.approx(1 - (-0.5))


def test_set_re_solves_with_the_parameter_changed():
    v = evaluate_claim(ENTRY, claim_of(ENTRY, "tough_incumbent_deters"))
    assert v.verdict == "holds"
    # At fight_value = 1.5 the first condition (entry) fails; the set condition still holds.
    v = evaluate_claim(ENTRY, claim_of(ENTRY, "tough_incumbent_deters"), {"fight_value": 1.5})
    assert v.verdict == "fails" and [c.holds for c in v.equilibria[0].conditions] == [False, True]
    soft = dataclasses.replace(claim_of(ENTRY, "tough_incumbent_deters"),
                               conditions=(Condition(set=(("fight_value", 0.5),), path=(("E", ("out",)),)),))
    assert evaluate_claim(ENTRY, soft).verdict == "fails"


def test_an_exact_tie_gives_two_equilibria_and_some():
    # fight_value = 1: the incumbent is indifferent, so spe lists both of its choices.
    v = evaluate_claim(ENTRY, claim_of(ENTRY, "entry_accommodated"), {"fight_value": 1.0})
    assert v.verdict == "some" and len(v.equilibria) == 2


def test_simultaneous_mixed_equilibrium_from_the_stage_solver():
    c = compiled("pennies")
    assert default_method(c) == "nash"
    got = {v.claim: v for v in evaluate_claims(c)}
    assert got["a_mixes"].verdict == "holds" and got["a_mixes"].method == "nash (enumpure+enummixed)"
    assert got["a_mixes"].equilibria[0].conditions[0].value == pytest.approx(0.5)
    assert got["a_heads"].verdict == "fails"
    assert got["b_gains_from_mixing"].verdict == "holds"
    assert got["b_gains_from_mixing"].equilibria[0].conditions[0].value == pytest.approx(0.5)
    # A bonus of 2 on heads makes heads dominant for A: one pure equilibrium (heads, tails).
    v = evaluate_claim(c, claim_of(c, "a_heads"), {"bonus": 2.0})
    assert (v.verdict, v.method) == ("holds", "enumpure")


def test_signalling_game_default_is_pbe_and_chance_can_be_forced():
    c = compiled("beer-quiche")
    assert default_method(c) == "pbe"
    v = evaluate_claim(c, c.scenario.claims[0])
    # Two pooling PBE at a strong prior: on beer (the weak type drinks beer) and on quiche.
    assert v.verdict == "some" and sorted(e.holds for e in v.equilibria) == [False, True]


def test_a_method_of_the_wrong_kind_is_refused_in_one_line():
    bad = dataclasses.replace(claim_of(ENTRY, "entry_accommodated"), method="enumpure")
    with pytest.raises(ScenarioError, match=r"claims take one of \['spe', 'pbe', 'pbe_mixed', 'pbe_agent'\] \(got 'enumpure'\)"):
        evaluate_claim(ENTRY, bad)


def test_batch_agrees_on_the_entry_game_including_the_tie():
    pts = np.array([[-0.5, 1.3], [1.5, 1.3], [1.0, 1.3], [1.5, 0.1], [0.99, 3.0]])
    batch = evaluate_claims_batch(ENTRY, ENTRY.scenario.claims, pts)
    for b in batch:
        claim = claim_of(ENTRY, b.claim)
        for k, row in enumerate(pts):
            want = evaluate_claim(ENTRY, claim, dict(zip(ENTRY.parameter_names, row))).verdict
            assert b.verdict[k] == want, (b.claim, row.tolist())
    assert batch[0].tied.tolist() == [False, False, True, False, False]
    assert batch[0].verdict.tolist() == ["holds", "fails", "some", "fails", "holds"]


# ---- properties --------------------------------------------------------------------------------

def _flip(v: str) -> str:
    return {"holds": "fails", "fails": "holds"}.get(v, v)


@st.composite
def perfect_information_cases(draw, keep_observes: bool = False):
    """A generated multi-move scenario made of perfect information (every move sees every earlier
    one; with ``keep_observes``, what the generator drew), claims drawn from its moves, and points
    (on a half-unit grid, so ties occur)."""
    doc = draw(multi_move_scenario_docs(max_players=2))
    seen = []
    for move in doc["scenario"]["timing"]:
        if "player" in move and not keep_observes:
            move["observes"] = list(seen)
        seen.append(move.get("name") or move.get("chance"))
    scenario = parse_scenario(doc)
    labels = {m.key: (m.actions if hasattr(m, "actions") else tuple(o for o, _ in m.outcomes))
              for m in scenario.timing}
    decisions = [m.key for m in scenario.timing if hasattr(m, "player")]
    moves = sorted(labels)

    def forced(pool):
        m = draw(st.sampled_from(pool))
        return ((m, draw(st.sampled_from(labels[m]))),)

    claims = []
    for k in range(draw(st.integers(1, 3))):
        conds = []
        for _ in range(draw(st.integers(1, 3))):
            after = forced(moves) if draw(st.booleans()) else ()
            setting = (("p1", float(draw(st.sampled_from([-1.0, 0.5, 2.0])))),) if draw(st.booleans()) else ()
            negate = draw(st.booleans())
            if draw(st.booleans()):
                m = draw(st.sampled_from(moves))
                acts = tuple(draw(st.lists(st.sampled_from(labels[m]), min_size=1, unique=True)))
                conds.append(Condition(path=((m, acts),), after=after, set=setting, negate=negate,
                                       at_least=draw(st.sampled_from([1.0, 0.5]))))
            else:
                gain = Gain(draw(st.sampled_from(scenario.player_names)), forced(decisions))
                conds.append(Condition(gain=gain, after=after, set=setting, negate=negate))
        claims.append(Claim(f"c{k}", "c", "q", tuple(conds)))
    c = compile_scenario(scenario)
    assume(c.game().n_nodes <= 20)  # small trees: the per-point side enumerates every tied equilibrium
    n = draw(st.integers(1, 6))
    pts = np.array([[draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])), draw(st.sampled_from([-1.0, 0.0, 0.5, 1.5, 2.0]))]
                    for _ in range(n)])
    return c, tuple(claims), pts


@st.composite
def pbe_cases(draw):
    """A generated multi-move scenario as generated (some movers do not see earlier moves or
    chance), its claims measured under ``pbe``, and points on a coarse grid (ties occur)."""
    c, claims, pts = draw(perfect_information_cases(keep_observes=True))
    return c, tuple(dataclasses.replace(claim, method="pbe") for claim in claims), pts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=[Phase.generate])
@given(pbe_cases())
def test_batched_pbe_verdicts_equal_per_point_verdicts(case):
    """Claims under pbe: pbe_batch's route gives evaluate_claim's verdict at every point
    (undecided where a point, or a set condition's game, has no pure PBE)."""
    c, claims, pts = case
    wants = [[evaluate_claim(c, claim, dict(zip(c.parameter_names, row))) for row in pts] for claim in claims]
    # A tree pbe refuses (imperfect recall, too many profiles) is undecided point by point: nothing to compare.
    assume(not any("refused" in w.reason for ws in wants for w in ws))
    batch = evaluate_claims_batch(c, claims, pts)
    for claim, b, want in zip(claims, batch, wants):
        assert [w.verdict for w in want] == b.verdict.tolist(), (claim, pts.tolist())


def test_chip_like_beer_quiche_claims_agree_batched_and_point_by_point():
    c = compiled("beer-quiche")
    pts = np.repeat(np.asarray(c.defaults, dtype=float)[None], 9, axis=0)
    pts[:, c.parameter_names.index("p_strong")] = np.linspace(0.05, 0.95, 9)
    for claim in c.scenario.claims:
        b = evaluate_claims_batch(c, [claim], pts)[0]
        want = [evaluate_claim(c, claim, dict(zip(c.parameter_names, row))).verdict for row in pts]
        assert b.verdict.tolist() == want
        assert {"undecided", "some"} <= set(want) or len(set(want)) > 1  # the prior moves the verdict


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=[Phase.generate])
@given(perfect_information_cases())
def test_batched_verdicts_equal_per_point_verdicts(case):
    c, claims, pts = case
    assert all(batchable(c, claim) for claim in claims)
    batch = evaluate_claims_batch(c, claims, pts)
    for claim, b in zip(claims, batch):
        for k, row in enumerate(pts):
            want = evaluate_claim(c, claim, dict(zip(c.parameter_names, row)))
            assert b.verdict[k] == want.verdict, (claim, row.tolist(), want)
            if not b.tied[k] and not np.isnan(b.values[:, k]).any():
                got = b.values[:, k]
                exp = [min(e.conditions[j].value for e in want.equilibria) for j in range(len(claim.conditions))]
                assert got.tolist() == exp


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=[Phase.generate])
@given(perfect_information_cases())
def test_not_flips_holds_and_fails(case):
    c, claims, pts = case
    claim = dataclasses.replace(claims[0], conditions=claims[0].conditions[:1])
    negated = dataclasses.replace(claim, conditions=(dataclasses.replace(claim.conditions[0],
                                                                         negate=not claim.conditions[0].negate),))
    for row in pts:
        over = dict(zip(c.parameter_names, row))
        assert evaluate_claim(c, negated, over).verdict == _flip(evaluate_claim(c, claim, over).verdict)
