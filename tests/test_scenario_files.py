"""The shipped scenarios, whatever they hold: they load, compile, solve, quote the seed article and lint clean.

These tests read every file in ``scenarios/`` (and ``scenarios/sweeps/``) and assert properties,
never contents (ids, equilibria, parameter names): the founding case is rebuilt as the modelling
improves. Engine tests that need a fixed game use the frozen first versions in
``tests/data/scenarios-v1`` (tests/test_scenarios_v1.py).

Seed article: Lafuraki, "NATO's Call on Russia for Cooperation: Goals and Possibilities",
29 September 2009 (tests/data/seed_article.txt).
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import pytest

from analysis.cli import main
from sim.scenario import compile_scenario, load_scenario
from sim.scenario.schema import Scaled
from sim.solvers import solve

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
SEED = (Path(__file__).parent / "data" / "seed_article.txt").read_text(encoding="utf-8")
IDS = [p.stem for p in SCENARIOS]


def test_the_founding_case_is_shipped():
    assert len(SCENARIOS) >= 5, [p.name for p in SCENARIOS]


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_every_goal_quotes_the_article_verbatim(path):
    scenario = load_scenario(path)
    assert scenario.id == path.stem
    for g in scenario.goals:
        assert g.quote, f"{g.player}.{g.name} has no quote"
        assert g.quote in SEED, f"{g.player}.{g.name}: quote not in the article: {g.quote!r}"
    if scenario.bargaining:
        for issue in scenario.bargaining.issues:
            assert issue.quote in SEED
    for c in scenario.claims:
        assert c.quote in SEED, f"claim {c.id}: quote not in the article: {c.quote!r}"
    for o in scenario.observations:
        assert o.quote in SEED, f"observation {o.id}: quote not in the article: {o.quote!r}"


def test_the_founding_baseline_declares_what_the_article_reports():
    # The article's three events after Corfu, as moves of the baseline tree (docs/calibration.md).
    s = load_scenario(Path(__file__).parent.parent / "scenarios" / "baseline-2009.toml")
    assert [o.path for o in s.observations] == [(("us_plan", "drop"),), (("russia_kaliningrad", "halt"),),
                                               (("russia_iran", "pressure"),)]


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_every_claim_quotes_the_article_verbatim(path):
    # Read as plain TOML, so the check holds whether or not the loader knows [[claims]] yet; a
    # variant's inherited claims are checked in the file that states them.
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    for i, claim in enumerate(doc.get("claims", [])):
        quote = claim.get("quote", "")
        assert quote, f"claims[{i}] ({claim.get('id')}) has no quote"
        assert quote in SEED, f"claims[{i}] ({claim.get('id')}): quote not in the article: {quote!r}"


def _parameters_of(x) -> set[str]:
    if isinstance(x, str):
        return {x}
    if isinstance(x, Scaled):
        return set(x.parameters)
    return set()


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_every_assumption_is_carried_by_a_parameter_marked_as_one(path):
    scenario = load_scenario(path)
    params = {p.name: p for p in scenario.parameters}
    units: dict[str, int] = {}
    for g in scenario.goals:
        if g.assumption:
            carriers = _parameters_of(g.weight).union(*(_parameters_of(r.value) for r in g.rules))
            if not carriers and g.weight == 1:  # the player's unit: one goal per player may carry weight 1
                units[g.player] = units.get(g.player, 0) + 1
                continue
            assert carriers and any(params[c].assumption for c in carriers), f"{g.player}.{g.name}"
    assert all(n == 1 for n in units.values()), f"more than one unit goal per player: {units}"
    # Iran's goals are nowhere in the article: they must all be assumptions.
    assert all(g.assumption for g in scenario.goals if g.player == "Iran")


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_every_scenario_validates_compiles_and_solves(path, capsys):
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: ok")
    compiled = compile_scenario(load_scenario(path))
    game = compiled.game()
    if compiled.sequential:
        # A tree is solved as a tree: its reduced normal form can be far too large to enumerate.
        assert game.perfect_recall()
        result = solve(game, "spe")
        assert result.equilibria, "a finite tree has a subgame-perfect equilibrium"
    else:
        result = solve(game, "enumpure")  # a simultaneous game may have no pure equilibrium
    assert all(e.max_regret <= 1e-9 for e in result.equilibria)


@pytest.mark.parametrize("path", SWEEPS, ids=[p.stem for p in SWEEPS])
def test_every_shipped_sweep_names_a_shipped_scenario_and_its_parameters(path):
    from analysis.io import file_sha256
    from analysis.sweep import load_sweep
    from analysis.sweep.run import check_parameters, scenario_model

    spec = load_sweep(path)
    assert spec.scenario_path.resolve().parent == (ROOT / "scenarios").resolve()
    check_parameters(spec, scenario_model(str(spec.scenario_path), file_sha256(spec.scenario_path)))


# The rules the founding case must satisfy: every goal the article states can change a
# choice, every parameter matters, no knife-edge at the defaults, no loose parameter, and no
# sentence read with both signs for one player across the folder.
CLEAN_RULES = ("inert-goal", "inert-parameter", "tie", "unused-parameter", "quote-sign")


@functools.cache
def _folder_lint() -> dict[str, list]:
    from analysis.lint import lint_paths

    # lint_paths runs lint_scenario on each file and the folder rules (quote-sign) over the folder.
    return {Path(r.path).name: list(r.warnings) for r in lint_paths([ROOT / "scenarios"], sample=256)}


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_shipped_scenarios_lint_clean(path):
    found = [w.format() for w in _folder_lint()[path.name] if w.rule in CLEAN_RULES]
    assert not found, "\n".join(found)
