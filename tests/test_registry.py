"""The method registry: one entry per method, agreeing with the functions it names, the README's
table and the command line."""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import registry
from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.registry import METHODS, Option, check_applicable, check_options, parse_options

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", list(METHODS))
def test_every_entry_loads_a_function_that_takes_its_options(name):
    spec = METHODS[name]
    fn = spec.load()
    assert fn.__name__ == spec.function
    sig = inspect.signature(fn)
    for opt in spec.options:
        if spec.kind in ("game", "tree"):
            # The registry's default is the function's default: the two cannot drift apart.
            assert opt.keyword in sig.parameters, (name, opt.name)
            assert sig.parameters[opt.keyword].default == opt.default, (name, opt.name)
        else:
            # Bargaining and repeated options are resolved by their glue (discount from the scenario).
            assert opt.keyword in sig.parameters or opt.name == "discount", (name, opt.name)


def test_kinds_and_player_counts_are_known():
    for spec in METHODS.values():
        assert spec.kind in registry.KINDS
        assert spec.players in ("2", "N")
        assert spec.summary and not spec.summary.endswith(".")
        assert len({o.name for o in spec.options}) == len(spec.options)


def test_readme_methods_table_is_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert registry.methods_table() in readme
    listed = re.findall(r"^\| `([a-z_]+)` \|", readme, flags=re.M)
    assert listed == list(METHODS)


def test_unknown_method_names_the_choices():
    with pytest.raises(SolverError, match=r"unknown method 'simplex'; choose one of: enumpure, enummixed"):
        registry.get("simplex")


@pytest.mark.parametrize("method, n_players, tree, message", [
    ("enummixed", 3, False, "applies to 2-player games only; this game has 3 players"),
    ("spe", 2, False, "needs an extensive-form game"),
    ("nash", 2, False, "takes a scenario with a [bargaining] table"),
    ("repeated", 2, True, "takes a stage game with a discount factor"),
])
def test_check_applicable_refuses_with_the_reason(method, n_players, tree, message):
    with pytest.raises(SolverError, match=re.escape(message)):
        check_applicable(method, n_players=n_players, tree=tree)


def test_check_applicable_accepts_what_fits():
    assert check_applicable("enumpure", n_players=4, tree=True).name == "enumpure"
    assert check_applicable("spe", n_players=3, tree=True).kind == "tree"
    assert check_applicable("nash", n_players=2, tree=False, kinds=("bargaining",)).kind == "bargaining"


def test_solve_passes_options_and_routes_trees():
    from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal

    g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    low = registry.solve(g, "logit", **parse_options("logit", ["lambda=0.1"]))
    assert low.params["lam"] == 0.1
    assert 0.3 < low.equilibria[0].profile[0][0] < 0.7  # near uniform at low precision
    tree = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("L", "R"), (
        Terminal((1.0, 1.0)), Decision(1, "b", ("l", "r"), (Terminal((0.0, 0.0)), Terminal((2.0, 2.0)))))))
    assert registry.solve(tree, "spe").equilibria[0].payoffs.tolist() == [2.0, 2.0]
    assert len(registry.solve(tree, "enumpure").equilibria) == 2  # on the reduced normal form


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_number_option_parses_every_float_and_enforces_its_range(x):
    opt = Option("discount", float, None, "-", low=0.0, high=1.0, open_low=True, open_high=True, none=True)
    inside = 0.0 < x < 1.0
    if inside:
        assert opt.parse(repr(x), "m") == x
        assert opt.check(x, "m") == x
    else:
        with pytest.raises(SolverError, match="option discount must be a number or none, in \\(0, 1\\)"):
            opt.parse(repr(x), "m")


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_integer_option_refuses_fractions_and_out_of_range(k):
    opt = Option("seed", int, 0, "-", low=0)
    if k >= 0:
        assert opt.parse(str(k), "m") == k and opt.check(float(k), "m") == k
    else:
        with pytest.raises(SolverError):
            opt.parse(str(k), "m")
    with pytest.raises(SolverError, match="must be an integer"):
        opt.check(k + 0.5, "m")


@pytest.mark.parametrize("value", [math.nan, math.inf, True, "1", None])
def test_check_options_refuses_non_numbers(value):
    with pytest.raises(SolverError, match="option tol must be a number"):
        check_options("enumpure", {"tol": value})


def test_text_option_with_prefix_choice():
    assert parse_options("correlated", ["objective=player:Russia"]) == {"objective": "player:Russia"}
    with pytest.raises(SolverError, match="one of welfare|min_welfare|player:<...>"):
        parse_options("correlated", ["objective=player:"])


def test_bool_option_words():
    assert parse_options("dominance", ["weak=yes", "mixed=false"]) == {"weak": True, "mixed": False}
    with pytest.raises(SolverError, match="option weak must be true or false; got 'maybe'"):
        parse_options("dominance", ["weak=maybe"])


# ----- the one default for trees ---------------------------------------------------------------
def _hidden_tree():
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    def r(a, b):
        return Decision(1, "R", ("u", "d"), (Terminal((0.0, a)), Terminal((0.0, b))))

    return ExtensiveFormGame.from_root(("S", "Rx"), Chance(("t1", "t2"), (0.5, 0.5), (
        Decision(0, "t1", ("m",), (r(1.0, 0.0),)), Decision(0, "t2", ("m",), (r(0.0, 2.0),)))))


def test_default_tree_method_follows_the_information():
    from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    from sim.registry import default_tree_method, solve_tree_default

    entry = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
        Terminal((0.0, 2.0)), Decision(1, "I", ("fight", "yield"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    assert default_tree_method(entry) == "spe" and default_tree_method(_hidden_tree()) == "pbe"
    r = solve_tree_default(entry)
    assert r.method == "spe" and r.details["method_choice"]["fallback"] is False
    with pytest.raises(SolverError, match="needs an extensive-form game"):
        default_tree_method(NormalFormGame.from_bimatrix([[1]], [[1]]))


def test_solve_tree_default_falls_back_in_order_and_says_why(monkeypatch):
    import sim.extensive.agent as agent
    from sim.registry import beliefs_unavailable_reason, solve_tree_default

    game = _hidden_tree()
    r = solve_tree_default(game, max_profiles=1)
    assert r.method == "pbe_agent" and r.equilibria
    assert r.details["method_choice"]["reason"].startswith("pbe cannot run: ")
    assert beliefs_unavailable_reason(game, r) is None

    def refuse(*args, **kwargs):
        raise SolverError("too large for the test")

    monkeypatch.setattr(agent, "pbe_agent_solve", refuse)
    r = solve_tree_default(game, max_profiles=1)
    choice = r.details["method_choice"]
    assert r.method == "spe" and choice["fallback"] is True
    assert "pbe_agent cannot run: too large for the test" in choice["reason"]
    assert choice["reason"].endswith("so spe, whose equilibria carry no beliefs")
    assert beliefs_unavailable_reason(game, r).startswith("spe's equilibria carry no beliefs")
