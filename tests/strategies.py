"""Hypothesis strategies shared by the test suite (one module, as STYLE.md asks).

``games()`` draws generic games (continuous payoffs, so ties have probability zero);
``degenerate_games()`` draws games with small integer payoffs, where ties and degeneracy are common.

Random games are made by the public generators of :mod:`sim.generators`: a strategy draws the
shape and a seed and calls the generator, so a failing example is reproduced by its seed. Where
shrinking the payoffs themselves finds smaller counterexamples (small-integer games, whose ties are
the point), the payoffs are drawn by Hypothesis instead.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim import generators
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
    """Generic games: :func:`sim.generators.random_game` (payoffs uniform in [-10, 10), ties have
    probability 0) from a drawn seed."""
    shape = draw(game_shapes(**shape_kw)) if shape is None else tuple(shape)
    seed = draw(st.integers(0, 2**32 - 1))
    return generators.random_game(shape, np.random.default_rng(seed))


@st.composite
def degenerate_games(draw, shape=None, **shape_kw):
    """Games with payoffs in the integers -2..2: ties, weak dominance and continua are common.

    The payoffs are drawn by Hypothesis (not by :func:`sim.generators.degenerate_game`) so that a
    failing game shrinks towards zeros and the tie that matters."""
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


# ----- scenario files ---------------------------------------------------------------------------
# Scenario documents are drawn as plain dicts (what tomllib returns) and written to TOML text by
# ``toml_text`` below, independently of sim.scenario.dump. Values are small multiples of 1/2 so that
# payoff sums are exact in floating point whatever the order of goals.

_SC_PLAYERS = ["US", "NATO", "Russia", "Iran"]
_SC_ACTIONS = ["keep", "drop", "engage", "isolate", "pressure", "halt"]
_halves = st.integers(-6, 6).map(lambda k: k / 2)


def toml_text(doc) -> str:
    """A dict of strings, numbers, booleans, lists and dicts as TOML (top-level keys as inline values)."""
    import json
    import math

    def value(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            if math.isnan(v):
                return "nan"
            if math.isinf(v):
                return "inf" if v > 0 else "-inf"
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{json.dumps(str(k))} = {value(x)}" for k, x in v.items()) + " }"
        raise TypeError(type(v))

    return "\n".join(f"{json.dumps(str(k))} = {value(v)}" for k, v in doc.items()) + "\n"


@st.composite
def scenario_docs(draw, max_players=3, max_actions=3, sequential=None):
    """Valid scenario documents (dicts): 1-3 players, parameters, goals with multi-player rules,
    optionally a sequential timing with a chance move and partial observation."""
    n = draw(st.integers(1, max_players))
    players = {p: draw(st.lists(st.sampled_from(_SC_ACTIONS), min_size=1, max_size=max_actions, unique=True))
               for p in _SC_PLAYERS[:n]}
    params = {}
    for k in range(draw(st.integers(0, 3))):
        default = draw(_halves)
        if draw(st.booleans()):
            params[f"p{k}"] = default
        else:
            params[f"p{k}"] = {"default": default, "min": default - 1.0, "max": default + 2.0,
                               "assumption": draw(st.booleans()), "description": f"parameter {k}"}
    seq = draw(st.booleans()) if sequential is None else sequential
    movers = {p: a for p, a in players.items()}
    if seq:
        order = draw(st.permutations(list(players)))
        timing = []
        seen = []
        if draw(st.booleans()):
            timing.append({"chance": "nature", "outcomes": {"good": 0.5, "bad": "rest"}})
            seen.append("nature")
            movers["nature"] = ["good", "bad"]
        for p in order:
            obs = [m for m in seen if draw(st.booleans())]
            timing.append({"player": p, "observes": obs})
            seen.append(p)
    else:
        timing = "simultaneous"
    value = st.one_of(_halves, st.sampled_from(sorted(params))) if params else _halves
    goals = []
    for g in range(draw(st.integers(1, 5))):
        rules = []
        for _ in range(draw(st.integers(1, 3))):
            when = {}
            for m in draw(st.lists(st.sampled_from(sorted(movers)), max_size=len(movers), unique=True)):
                allowed = draw(st.lists(st.sampled_from(movers[m]), min_size=1, max_size=len(movers[m]), unique=True))
                when[m] = allowed[0] if len(allowed) == 1 and draw(st.booleans()) else allowed
            rules.append({"when": when, "value": draw(value)})
        goal = {"player": draw(st.sampled_from(sorted(players))), "name": f"goal{g}", "weight": draw(value),
                "rules": rules, "quote": draw(st.text(max_size=20))}
        if any(isinstance(x, str) for x in [goal["weight"], *(r["value"] for r in rules)]):
            goal["assumption"] = draw(st.booleans())
        goals.append(goal)
    doc = {"scenario": {"id": "generated", "title": draw(st.text(max_size=20)), "timing": timing},
           "players": {p: {"actions": a} for p, a in players.items()}, "goals": goals}
    if params:
        doc["parameters"] = params
    return doc


@st.composite
def scenarios(draw, **kw):
    """Valid ``Scenario`` objects."""
    from sim.scenario import parse_scenario

    return parse_scenario(draw(scenario_docs(**kw)))


@st.composite
def parametric_scenario_docs(draw, max_players=3, max_actions=3):
    """:func:`scenario_docs` whose payoffs depend on two bounded parameters: each rule's value is
    ``p0``, ``p1`` or its number, and a goal's weight may be ``p1`` (then ``p1 * p0`` or ``p1 ** 2``
    terms appear). Sequential timings are made perfect-information (each mover sees every earlier
    move), the case where subgame-perfect regions are polyhedra."""
    doc = draw(scenario_docs(max_players=max_players, max_actions=max_actions))
    doc["parameters"] = {"p0": {"default": 0.5, "min": -1.0, "max": 2.0},
                         "p1": {"default": 0.0, "min": -2.0, "max": 1.5}}
    for goal in doc["goals"]:
        goal["weight"] = draw(st.sampled_from([1.0, 1.0, 1.0, -0.5, 2.0, "p1"]))
        for rule in goal["rules"]:
            rule["value"] = draw(st.sampled_from(["p0", "p1", float(rule["value"]) if not isinstance(
                rule["value"], str) else 1.0]))
        goal.pop("assumption", None)
    if doc["scenario"]["timing"] != "simultaneous":
        seen = []
        for move in doc["scenario"]["timing"]:
            if "player" in move:
                move["observes"] = list(seen)
                seen.append(move["player"])
            else:
                seen.append(move["chance"])
    return doc


@st.composite
def multi_move_scenario_docs(draw, max_players=3):
    """Valid scenario documents whose timing gives players several named moves, each with its own
    actions, partial observation, conditions on earlier unconditional moves (so every move happens
    on some history), and chance moves anywhere. Rules name moves, and weights may be scaled."""
    n = draw(st.integers(1, max_players))
    players = _SC_PLAYERS[:n]
    params = {"p0": {"default": 0.5, "min": 0.0, "max": 1.0}, "p1": 1.5}
    timing, labels, free = [], {}, []  # free: unconditional moves, which conditions may name
    order = [p for p in players for _ in range(draw(st.integers(1, 2)))]
    order = draw(st.permutations(order))
    slots = draw(st.lists(st.integers(0, len(order)), max_size=2))
    k = 0
    for pos in range(len(order) + 1):
        for _ in range(slots.count(pos)):
            name = f"nature{k}"
            k += 1
            outs = draw(st.lists(st.sampled_from(["good", "bad", "odd"]), min_size=1, max_size=3, unique=True))
            probs = {o: 1.0 / len(outs) for o in outs}
            if draw(st.booleans()):
                probs[outs[0]] = "rest"
            elif len(outs) == 2 and draw(st.booleans()):
                probs = {outs[0]: "p0", outs[1]: "rest"}
            move = {"chance": name, "outcomes": probs}
            timing.append(move)
            labels[name] = outs
        if pos == len(order):
            break
        player = order[pos]
        name = f"{player.lower()}_{sum(1 for m in timing if m.get('player') == player)}"
        acts = draw(st.lists(st.sampled_from(_SC_ACTIONS), min_size=1, max_size=3, unique=True))
        move = {"player": player, "name": name, "actions": acts,
                "observes": [m for m in labels if draw(st.booleans())]}
        timing.append(move)
        labels[name] = acts
    for move in timing:
        key = move.get("name") or move.get("chance")
        earlier = [m for m in free if m in labels and list(labels).index(m) < list(labels).index(key)]
        if earlier and draw(st.booleans()):
            cond = {}
            for m in draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2, unique=True)):
                cond[m] = draw(st.lists(st.sampled_from(labels[m]), min_size=1, max_size=len(labels[m]), unique=True))
            move["when"] = cond
        else:
            free.append(key)
    value = st.one_of(_halves, st.sampled_from(["p1", "-p1"]), st.just({"parameter": "p1", "scale": -0.5}))
    goals = []
    for g in range(draw(st.integers(1, 4))):
        rules = []
        for _ in range(draw(st.integers(1, 3))):
            when = {m: draw(st.lists(st.sampled_from(labels[m]), min_size=1, max_size=len(labels[m]), unique=True))
                    for m in draw(st.lists(st.sampled_from(sorted(labels)), max_size=3, unique=True))}
            rules.append({"when": when, "value": draw(_halves)})
        goals.append({"player": draw(st.sampled_from(players)), "name": f"goal{g}", "weight": draw(value),
                      "rules": rules})
    return {"scenario": {"id": "multi", "title": "multi-move", "timing": timing},
            "parameters": params,
            "players": {p: {} for p in players}, "goals": goals}


@st.composite
def malformed_scenarios(draw):
    """``(text, field)``: scenario text broken in one way, and the field its error must name."""
    import copy

    doc = copy.deepcopy(draw(scenario_docs(sequential=False)))
    player = next(iter(doc["players"]))
    kind = draw(st.sampled_from([
        "bad_toml", "missing_scenario", "missing_title", "missing_goals", "wrong_type_weight", "bool_value",
        "unknown_player_in_rule", "unknown_action_in_rule", "duplicate_action", "duplicate_goal",
        "unknown_parameter", "out_of_bounds_default", "unknown_field", "huge_game", "empty_actions",
        "nan_value", "unknown_goal_player", "bad_timing", "assumption_without_parameter", "rules_not_list",
        "huge_integer", "giant_integer", "deep_nesting", "nested_observes", "name_with_newline", "zero_powers",
        "long_timing",
    ]))
    field = ""
    if kind == "bad_toml":
        return toml_text(doc) + draw(st.sampled_from(["x = = 1\n", "[scenario\n", '"a" = "b\n', "= 3\n"])), "(toml)"
    if kind == "missing_scenario":
        del doc["scenario"]; field = "scenario"
    elif kind == "missing_title":
        del doc["scenario"]["title"]; field = "scenario.title"
    elif kind == "missing_goals":
        del doc["goals"]; field = "goals"
    elif kind == "wrong_type_weight":
        doc["goals"][0]["weight"] = draw(st.sampled_from([[1], {"a": 1}, "no_such_param", True])); field = "goals[0].weight"
    elif kind == "bool_value":
        doc["goals"][0]["rules"][0]["value"] = True; field = "goals[0].rules[0].value"
    elif kind == "unknown_player_in_rule":
        doc["goals"][0]["rules"][0]["when"] = {"Atlantis": "x"}; field = "goals[0].rules[0].when.Atlantis"
    elif kind == "unknown_action_in_rule":
        doc["goals"][0]["rules"][0]["when"] = {player: "no_such_action"}; field = f"goals[0].rules[0].when.{player}"
    elif kind == "duplicate_action":
        acts = doc["players"][player]["actions"]
        acts.append(acts[0]); field = f"players.{player}.actions[{len(acts) - 1}]"
    elif kind == "duplicate_goal":
        doc["goals"].append(copy.deepcopy(doc["goals"][0])); field = f"goals[{len(doc['goals']) - 1}].name"
    elif kind == "unknown_parameter":
        doc["goals"][0]["rules"][0]["value"] = "undeclared"; field = "goals[0].rules[0].value"
    elif kind == "out_of_bounds_default":
        doc["parameters"] = {"q": {"default": 5.0, "min": 0.0, "max": 1.0}}; field = "parameters.q.default"
    elif kind == "unknown_field":
        doc["goals"][0]["wieght"] = 1.0; field = "goals[0].wieght"
    elif kind == "huge_game":
        doc["players"] = {f"P{i}": {"actions": [f"a{j}" for j in range(10)]} for i in range(7)}
        doc["goals"] = [{"player": "P0", "name": "g", "weight": 1, "rules": [{"value": 1}]}]; field = "players"
    elif kind == "empty_actions":
        doc["players"][player]["actions"] = []; field = f"players.{player}.actions"
    elif kind == "nan_value":
        doc["goals"][0]["rules"][0]["value"] = draw(st.sampled_from([float("nan"), float("inf")]))
        field = "goals[0].rules[0].value"
    elif kind == "unknown_goal_player":
        doc["goals"][0]["player"] = "Atlantis"; field = "goals[0].player"
    elif kind == "bad_timing":
        doc["scenario"]["timing"] = draw(st.sampled_from(["sequential", 3, [{"player": "Atlantis"}]]))
        field = "scenario.timing"
    elif kind == "assumption_without_parameter":
        doc["goals"][0].update(weight=1.0, assumption=True, rules=[{"value": 1.0}]); field = "goals[0].weight"
    elif kind == "rules_not_list":
        doc["goals"][0]["rules"] = draw(st.sampled_from([{}, [], "always", 1])); field = "goals[0].rules"
    elif kind == "huge_integer":  # beyond the float range, but within Python's digit limit
        digits = draw(st.integers(310, 4000))
        doc["goals"][0]["weight"] = draw(st.sampled_from([1, -1])) * 10 ** (digits - 1); field = "goals[0].weight"
    elif kind == "giant_integer":  # beyond Python's digit limit: tomllib itself fails
        doc["goals"][0]["weight"] = "GIANT"
        return toml_text(doc).replace('"GIANT"', "9" * draw(st.integers(4301, 6000)), 1), "(toml)"
    elif kind == "deep_nesting":
        depth = draw(st.integers(33, 600))
        return toml_text(doc) + "x = " + "[" * depth + "]" * depth + "\n", "(toml)"
    elif kind == "nested_observes":
        doc["scenario"]["timing"] = [{"player": p, "observes": [[q] for q in list(doc["players"])[:k]]}
                                     for k, p in enumerate(doc["players"])]
        doc["scenario"]["timing"][0]["observes"] = [draw(st.sampled_from([[player], {"a": 1}, [[]]]))]
        field = "scenario.timing[0].observes"
    elif kind == "name_with_newline":  # a '$' in a name pattern would accept it
        doc["goals"][0]["name"] += draw(st.sampled_from(["\n", "\r\n", "\n\n"])); field = "goals[0].name"
    elif kind == "zero_powers":
        doc["players"]["Zed"] = {"actions": ["a"]}
        doc["bargaining"] = {"players": [player, "Zed"], "powers": {player: 0, "Zed": 0.0},
                             "issues": [{"name": "i", "range": [0, 1], "utility": {player: 1, "Zed": -1}}]}
        field = "bargaining.powers"
    elif kind == "long_timing":
        doc["scenario"]["timing"] = [{"player": player, "name": f"m{k}"} for k in range(draw(st.integers(33, 80)))]
        field = "scenario.timing"
    return toml_text(doc), field


@st.composite
def games_with_dominant_strategies(draw, **shape_kw):
    """``(game, profile)``: a generic game where action ``profile[i]`` strictly dominates for player ``i``.

    Payoffs are drawn in [-10, 10]; the chosen action of each player gets a bonus of 25, more than
    the spread, so it beats every other action against every profile of the others.
    """
    game = draw(games(**shape_kw))
    profile = tuple(draw(st.integers(0, n - 1)) for n in game.shape)
    payoffs = np.array(game.payoffs)
    for i, a in enumerate(profile):
        index = [slice(None)] * game.n_players
        index[i] = a
        payoffs[(*index, i)] += 25.0
    return NormalFormGame.from_payoffs(payoffs), profile


@st.composite
def game_batches(draw, max_games=150, degenerate=None, **shape_kw):
    """A batch ``(B, n_0, ..., n_{N-1}, N)`` of games of one shape, generic or with small-integer ties.

    Big enough batches cross the blocking and tiling boundaries of the batched kernels.
    """
    shape = draw(game_shapes(**shape_kw))
    n_games = draw(st.integers(1, max_games))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if degenerate is None:
        degenerate = draw(st.booleans())
    bounds = dict(low=-2, high=2, integer=True) if degenerate else {}
    # a writable copy: tests slice and hand it to the kernels as any caller's array
    return np.array(generators.random_game_batch(shape, n_games, rng, **bounds).payoffs)


# ----- Gambit .nfg text -----------------------------------------------------------------------------
# Names and titles draw from characters that stress the quoting rules (quotes, backslashes, braces,
# commas, newlines) as well as ordinary text.
_nfg_name_chars = st.one_of(st.sampled_from('"\\{},# \n\t/.-+e0123456789'), st.characters(codec="utf-8"))


def nfg_names(min_size=1):
    return st.text(_nfg_name_chars, min_size=min_size, max_size=8)


@st.composite
def nfg_games(draw, max_players=3, max_actions=3):
    """Games with awkward names and any finite floats (signed zeros, subnormals, huge values)."""
    n = draw(st.integers(1, max_players))
    shape = tuple(draw(st.integers(1, max_actions)) for _ in range(n))
    players = draw(st.lists(nfg_names(), min_size=n, max_size=n, unique=True))
    actions = [draw(st.lists(nfg_names(), min_size=k, max_size=k, unique=True)) for k in shape]
    values = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                       st.integers(-5, 5).map(float), st.sampled_from([0.0, -0.0, 0.1, 1 / 3]))
    flat = draw(st.lists(values, min_size=int(np.prod(shape)) * n, max_size=int(np.prod(shape)) * n))
    payoffs = np.array(flat, dtype=float).reshape(*shape, n)
    title = draw(nfg_names(min_size=0))
    return NormalFormGame.from_payoffs(payoffs, players=players, actions=actions, title=title)


def _nfg_number(draw, k: int) -> str:
    """The rational k/4 written in one of the lexical forms an .nfg file may use."""
    from fractions import Fraction

    x = Fraction(k, 4)
    form = draw(st.sampled_from(["int", "dec", "exp", "rat", "dot"] if x.denominator == 1 else ["dec", "exp", "rat"]))
    if form == "int":
        return draw(st.sampled_from(["", "+"])) + str(x.numerator) if x >= 0 else str(x.numerator)
    if form == "rat":
        return f"{x.numerator}/{x.denominator}" if draw(st.booleans()) else f"{x.numerator * 2}/{x.denominator * 2}"
    if form == "exp":
        return f"{float(x) * 10:.3f}e-1" if draw(st.booleans()) else f"{float(x) / 10:.4f}E+1"
    if form == "dot":
        return f"{x.numerator}."
    return f"{float(x):.6f}"


@st.composite
def nfg_texts(draw, max_players=3, max_actions=3):
    """Valid .nfg texts written independently of format_nfg: both bodies, both strategy headers,
    optional title and comment, varied number forms and whitespace."""
    n = draw(st.integers(1, max_players))
    shape = [draw(st.integers(1, max_actions)) for _ in range(n)]
    ws = lambda: draw(st.sampled_from([" ", "\n", "\t", "  ", "\r\n"]))  # noqa: E731
    q = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'  # noqa: E731
    players = draw(st.lists(nfg_names(), min_size=n, max_size=n, unique=True))
    parts = ["NFG", ws(), "1", ws(), draw(st.sampled_from(["R", "D"])), ws()]
    if draw(st.booleans()):
        parts += [q(draw(nfg_names(min_size=0))), ws()]
    parts += ["{", ws(), *[q(p) + ws() for p in players], "}", ws()]
    if draw(st.booleans()):
        parts += ["{", ws(), *[f"{k}{ws()}" for k in shape], "}", ws()]
    else:
        parts += ["{", ws()]
        for k in shape:
            names = draw(st.lists(nfg_names(), min_size=k, max_size=k, unique=True))
            parts += ["{", ws(), *[q(a) + ws() for a in names], "}", ws()]
        parts += ["}", ws()]
    if draw(st.booleans()):
        parts += [q(draw(nfg_names(min_size=0))), ws()]
    n_profiles = int(np.prod(shape))
    if draw(st.booleans()):
        parts += [ws().join(_nfg_number(draw, draw(st.integers(-40, 40))) for _ in range(n_profiles * n))]
    else:
        n_out = draw(st.integers(1, 4))
        parts += ["{", ws()]
        for _ in range(n_out):
            sep = draw(st.sampled_from([" ", ", ", " ,"]))
            nums = sep.join(_nfg_number(draw, draw(st.integers(-40, 40))) for _ in range(n))
            parts += ["{", ws(), q(draw(nfg_names(min_size=0))), ws(), nums, ws(), "}", ws()]
        parts += ["}", ws()]
        parts += [" ".join(str(draw(st.integers(0, n_out))) for _ in range(n_profiles))]
    parts.append(draw(st.sampled_from(["", "\n", " \n\n"])))
    return "".join(parts)


_NFG_GARBAGE = ["abc", "nan", "inf", "-inf", "{", "}", ",", '"', '\\"', "1/0", "0/0", "1e999", "-", ".", "+",
                "e5", "1e", "0", "-1", "3.5", "99999999999999999999", "1" * 5000, "NFG", "R", '"x"', "\x00", "\ufeff"]


@st.composite
def malformed_nfg_texts(draw):
    """A valid .nfg text damaged by truncation, token replacement, deletion or inserted garbage.

    The result is usually malformed but may by chance still be a valid file."""
    text = draw(nfg_texts())
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "replace", "delete", "insert", "bytes"]))
        tokens = text.split(" ")
        if kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif kind in ("replace", "delete", "insert"):
            i = draw(st.integers(0, len(tokens) - 1))
            garbage = draw(st.one_of(st.sampled_from(_NFG_GARBAGE), st.text(max_size=6)))
            if kind == "replace":
                tokens[i] = garbage
            elif kind == "delete":
                del tokens[i]
            else:
                tokens.insert(i, garbage)
            text = " ".join(tokens)
        else:
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(st.text(min_size=1, max_size=4)) + text[i:]
    return text


@st.composite
def zero_sum_games(draw, min_actions=1, max_actions=4, integer=False):
    """Two-player zero-sum games (``B = -A``), ``m x n`` with ``min_actions <= m, n <= max_actions``.

    Generic by default (:func:`sim.generators.zero_sum_game`, row payoffs uniform in [-10, 10)
    from a drawn seed); with ``integer``, row payoffs in -3..3 drawn by Hypothesis so that a
    failing (often degenerate) game shrinks.
    """
    shape = (draw(st.integers(min_actions, max_actions)), draw(st.integers(min_actions, max_actions)))
    if integer:
        return NormalFormGame.zero_sum(draw(hnp.arrays(np.int64, shape, elements=st.integers(-3, 3))).astype(float))
    return generators.zero_sum_game(shape, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))


@st.composite
def perfect_information_trees(draw, max_depth=3, max_players=3, integer_payoffs=True, max_outcomes=2):
    """Small perfect-information trees (with chance nodes of up to ``max_outcomes`` outcomes, at
    most 3); small integer payoffs make ties common."""
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    n = draw(st.integers(1, max_players))
    counter = iter(range(10**6))
    pay = st.integers(-2, 2) if integer_payoffs else st.floats(-10, 10, allow_nan=False)

    def node(depth):
        kind = draw(st.sampled_from(["t", "p", "p", "c"])) if depth < max_depth else "t"
        if kind == "t":
            return Terminal(tuple(float(draw(pay)) for _ in range(n)))
        k = draw(st.integers(1, 3 if kind == "p" else max_outcomes))
        kids = tuple(node(depth + 1) for _ in range(k))
        if kind == "c":
            probs = {1: (1.0,), 2: (0.25, 0.75), 3: (0.2, 0.3, 0.5)}[k]
            return Chance(tuple(f"o{j}" for j in range(k)), probs, kids)
        return Decision(draw(st.integers(0, n - 1)), f"h{next(counter)}", tuple(f"a{j}" for j in range(k)), kids)

    return ExtensiveFormGame.from_root(tuple(f"P{i}" for i in range(n)), node(0))


@st.composite
def threshold_scenarios(draw):
    """A one-player scenario whose best reply flips from ``x`` to ``y`` at ``a = c``: returns
    ``(toml_text, c)``. ``x`` is worth the constant ``c``, ``y`` the parameter ``a`` in [0, 1]."""
    c = draw(st.floats(0.02, 0.98, allow_nan=False, allow_infinity=False))
    doc = {
        "scenario": {"id": "threshold", "title": "Best reply flips at c", "timing": "simultaneous"},
        "parameters": {"a": {"default": 0.0, "min": 0.0, "max": 1.0}},
        "players": {"A": {"actions": ["x", "y"]}},
        "goals": [
            {"player": "A", "name": "x_worth_c", "weight": c, "quote": "x is worth c",
             "rules": [{"when": {"A": "x"}, "value": 1.0}]},
            {"player": "A", "name": "y_worth_a", "weight": "a", "quote": "y is worth a",
             "rules": [{"when": {"A": "y"}, "value": 1.0}]},
        ],
    }
    return toml_text(doc), c


@st.composite
def signalling_games(draw, max_types=2, max_messages=2, max_responses=3, generic=False):
    """Sender-receiver games (Gibbons 1992, section 4.2): chance draws a type with a positive prior
    in quarters, the sender (player 0) sees it and sends a message, the receiver (player 1) sees
    only the message and responds. Receiver infosets are named ``m<j>``, sender infosets ``t<k>``;
    small integer payoffs make ties and off-path indifference common. With ``generic``, each
    player's payoffs are distinct eighths in [-5, 5] drawn from a seeded generator (not shrunk
    towards ties): no response ties another at a belief concentrated on one type, nor a message
    another against pure responses. Equal payoffs there gave continua of equilibria, on which
    pygambit's ``enumpoly`` on the agent form ran for minutes (5 of 200 games drawn with
    replacement took more than 25 s; with distinct payoffs, none)."""
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    n_types = draw(st.integers(2, max_types))
    n_msgs = draw(st.integers(2, max_messages))
    n_resp = draw(st.integers(1, max_responses))
    quarters = draw(st.lists(st.integers(1, 3), min_size=n_types, max_size=n_types).filter(lambda q: sum(q) == 4)) \
        if n_types == 2 else [1] * (n_types - 1) + [4 - (n_types - 1)]
    n_leaves = n_types * n_msgs * n_resp
    if generic:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        pays = [iter((rng.permutation(81)[:n_leaves] - 40) / 8) for _ in range(2)]
        leaf = lambda: Terminal((float(next(pays[0])), float(next(pays[1]))))  # noqa: E731
    else:
        leaf = lambda: Terminal((float(draw(st.integers(-2, 2))), float(draw(st.integers(-2, 2)))))  # noqa: E731
    types = []
    for k in range(n_types):
        msgs = tuple(Decision(1, f"m{j}", tuple(f"r{a}" for a in range(n_resp)), tuple(leaf() for _ in range(n_resp)))
                     for j in range(n_msgs))
        types.append(Decision(0, f"t{k}", tuple(f"m{j}" for j in range(n_msgs)), msgs))
    root = Chance(tuple(f"type{k}" for k in range(n_types)), tuple(q / 4 for q in quarters), tuple(types))
    return ExtensiveFormGame.from_root(("Sender", "Receiver"), root)


@st.composite
def imperfect_information_trees(draw, max_levels=4, max_players=3, max_actions=2, conditional=False):
    """Layered trees with perfect recall and imperfect information: each level is a chance move
    (two or three outcomes, probabilities in quarters or thirds) or one player's move; a mover sees
    a drawn subset of the earlier levels (always its own moves and what it saw before), so nodes
    that differ only in the unseen levels share an information set. Small integer payoffs make
    ties and mixed equilibria common.

    With ``conditional``, a level after the first may happen only on the histories where an
    earlier unconditional level took a drawn value (a cancel that exists only after a threat), so
    trees are not full products and a player's moves differ in number across histories; a skipped
    level shows as ``None`` in the information set names of those who see it."""
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    n = draw(st.integers(1, max_players))
    n_levels = draw(st.integers(1, max_levels))
    levels = []  # (kind, player, n_branches, probs, observed levels, condition (level, value) or None)
    seen: dict[int, set] = {i: set() for i in range(n)}
    free: list[int] = []  # unconditional levels, which a condition may name
    for k in range(n_levels):
        cond = None
        if conditional and free and draw(st.booleans()):
            j = draw(st.sampled_from(free))
            cond = (j, draw(st.integers(0, levels[j][2] - 1)))
        if draw(st.integers(0, 3)) == 0:
            b = draw(st.integers(2, 3))
            probs = (1 / 3, 1 / 3, 1 / 3) if b == 3 else draw(st.sampled_from([(0.25, 0.75), (0.5, 0.5)]))
            levels.append(("c", -1, b, probs, frozenset(), cond))
        else:
            i = draw(st.integers(0, n - 1))
            new = {j for j in range(k) if j not in seen[i] and draw(st.booleans())}
            seen[i] |= new | {j for j in range(k) if levels[j][1] == i}
            levels.append(("p", i, draw(st.integers(1, max_actions)), None, frozenset(seen[i]), cond))
        if cond is None:
            free.append(k)
    pay = st.integers(-2, 2)

    def node(k, history):
        if k == n_levels:
            return Terminal(tuple(float(draw(pay)) for _ in range(n)))
        kind, i, b, probs, obs, cond = levels[k]
        if cond is not None and history[cond[0]] != cond[1]:
            return node(k + 1, (*history, None))
        kids = tuple(node(k + 1, (*history, a)) for a in range(b))
        if kind == "c":
            return Chance(tuple(f"o{a}" for a in range(b)), probs, kids)
        info = f"L{k}|" + ",".join(f"{j}={history[j]}" for j in sorted(obs))
        return Decision(i, info, tuple(f"a{a}" for a in range(b)), kids)

    return ExtensiveFormGame.from_root(tuple(f"P{i}" for i in range(n)), node(0, ()))


@st.composite
def behaviour_profiles(draw, game):
    """A behaviour profile of ``game`` (``infoset -> probabilities``): some information sets pure,
    some interior."""
    out = {}
    for h, (_, actions) in game.infosets.items():
        w = np.array([draw(st.sampled_from([0.0, 1.0, 2.0, 5.0])) for _ in actions])
        if w.sum() == 0:
            w[0] = 1.0
        out[h] = w / w.sum()
    return out


# ----- hostile input files ----------------------------------------------------------------------------
# Each draws ``(name, content, field)``: a file name, its text, and what its one-line error must name
# (a scenario or sweep field, or the line of a Gambit file as ``:LINE:`` / ``line LINE``). Content is
# text, except ``None`` for a special file (see ``special_files``). Sizes stay within the input
# limits' neighbourhood so that a slow reader shows as a timeout rather than as a slow test.

_HUGE_NUMBERS = ["1e999999999", "-1e999999999", "1.8e308", "-1.8e308", "1e309", "9" * 400, "1" + "0" * 5000,
                 "1e99999999999999999999/3", "3/0", "\u0663", "\u0661\u0662", "\uff11", "1" + "\u0660" * 3]


@st.composite
def hostile_nfg_texts(draw):
    """``(name, text, field)``: an .nfg file a reader must refuse, in bounded time."""
    kind = draw(st.sampled_from(["number", "players", "profiles", "outcomes_number"]))
    if kind == "number":
        bad = draw(st.sampled_from(_HUGE_NUMBERS))
        return "huge.nfg", f'NFG 1 R "" {{ "A" "B" }} {{ 1 2 }}\n3 4\n{bad} 6\n', "line 3"
    if kind == "players":
        n = draw(st.integers(17, 80))
        names = " ".join(f'"P{i}"' for i in range(n))
        return "players.nfg", f'NFG 1 R "" {{ {names} }} {{ {" ".join(["1"] * n)} }}\n{" ".join(["0"] * n)}\n', "line 1"
    if kind == "profiles":
        k = draw(st.integers(1001, 100_000))
        return "profiles.nfg", f'NFG 1 R "" {{ "A" "B" }} {{ {k} 1000 }}\n1 2\n', "line 2"
    bad = draw(st.sampled_from(_HUGE_NUMBERS))
    return "outcomes.nfg", f'NFG 1 R "" {{ "A" }} {{ 1 }}\n{{ {{ "o" {bad} }} }}\n1\n', "line 2"


@st.composite
def hostile_efg_texts(draw):
    """``(name, text, field)``: an .efg file a reader must refuse, in bounded time."""
    kind = draw(st.sampled_from(["number", "chain", "players", "probability"]))
    head = 'EFG 2 R "" { "A" } ""\n'
    if kind == "number":
        bad = draw(st.sampled_from(_HUGE_NUMBERS))
        return "huge.efg", head + f'p "" 1 1 "" {{ "x" "y" }} 0\nt "" 1 "" {{ {bad} }}\nt "" 2 "" {{ 0 }}\n', ":3:"
    if kind == "chain":  # a path of one-action moves deeper than the depth limit
        n = draw(st.integers(33, 2000))
        body = "".join(f'p "" 1 {k + 1} "" {{ "x" }} 0\n' for k in range(n))
        return "chain.efg", head + body + 't "" 1 "" { 1 }\n', ":34:"
    if kind == "players":
        n = draw(st.integers(17, 60))
        names = " ".join(f'"P{i}"' for i in range(n))
        return "players.efg", f'EFG 2 R "" {{ {names} }} ""\nt "" 0\n', ":1:"
    bad = draw(st.sampled_from(_HUGE_NUMBERS))
    return "chance.efg", head + f'c "" 1 "" {{ "h" {bad} "t" 1/2 }} 0\nt "" 0\nt "" 0\n', ":2:"


@st.composite
def malformed_sweeps(draw):
    """``(name, text, field)``: a sweep file (over ``scenario.toml`` beside it, a valid scenario with
    a parameter ``x``) broken in one way, and the field its error must name."""
    kind = draw(st.sampled_from(["nested_methods", "huge_num", "many_axes", "huge_value", "giant_value",
                                 "deep_nesting", "axis_num", "method_type"]))
    head = '[sweep]\nscenario = "scenario.toml"\nseed = 1\n'
    if kind == "nested_methods":
        return "s.toml", head + 'methods = [["enumpure"]]\n[sweep.grid]\nx = [0.5]\n', "sweep.methods[0]"
    if kind == "method_type":
        bad = draw(st.sampled_from(["1", "true", "{ a = 1 }", "1e999"]))
        return "s.toml", head + f"methods = [{bad}]\n[sweep.grid]\nx = [0.5]\n", "sweep.methods[0]"
    if kind == "huge_num":  # the point limit, checked before any value is built
        num = draw(st.integers(10**9 + 1, 10**18))
        return "s.toml", head + f"[sweep.grid]\nx = {{ start = 0, stop = 1, num = {num} }}\n", "sweep.grid"
    if kind == "axis_num":
        num = draw(st.integers(10**6 + 1, 10**9))
        return "s.toml", head + f"[sweep.grid]\nx = {{ start = 0, stop = 1, num = {num} }}\n", "sweep.grid.x.num"
    if kind == "many_axes":
        n = draw(st.integers(33, 90))
        return "s.toml", head + "[sweep.grid]\n" + "".join(f"x{k} = [0.5]\n" for k in range(n)), "sweep.grid"
    if kind == "huge_value":
        digits = draw(st.integers(310, 4000))
        return "s.toml", head + f"[sweep.grid]\nx = [1{'0' * digits}]\n", "sweep.grid.x[0]"
    if kind == "giant_value":
        digits = draw(st.integers(4301, 6000))
        return "s.toml", head + f"[sweep.grid]\nx = [1{'0' * digits}]\n", "(toml)"
    depth = draw(st.integers(33, 600))
    return "s.toml", head + "[sweep.grid]\nx = " + "[" * depth + "]" * depth + "\n", "(toml)"


#: Special files a reader must refuse unread and without blocking: what to make at the path.
SPECIAL_FILES = ("dev_zero", "link_to_dev_zero", "fifo", "folder", "link_to_fifo")


def make_special(path, kind: str) -> None:
    """Make ``kind`` (one of :data:`SPECIAL_FILES`) at ``path``."""
    import os

    if kind == "dev_zero":
        raise ValueError("use /dev/zero itself")
    if kind == "link_to_dev_zero":
        os.symlink("/dev/zero", path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        os.mkdir(path)
    elif kind == "link_to_fifo":
        os.mkfifo(f"{path}.fifo")
        os.symlink(f"{path}.fifo", path)


#: Kinds of damage to a finished sweep folder (see tests/test_sweep_integrity.py, which applies them).
CHUNK_DAMAGE = ("byte flip", "truncated chunk", "copied chunk", "extra chunk", "foreign chunk", "deleted chunk",
                "manifest as an array", "stray chunk-abc.parquet", "unrecorded chunk")


@st.composite
def chunk_damages(draw, n_chunks: int):
    """``(kind, chunk index, where)``: a damage kind, the chunk it hits, and a position in [0, 1]
    (the byte flipped, or where the file is cut)."""
    return (draw(st.sampled_from(CHUNK_DAMAGE)), draw(st.integers(0, n_chunks - 1)), draw(st.floats(0.0, 1.0)))


@st.composite
def payoff_maps(draw, n_players: int, common_scale: bool = False):
    """Positive affine maps of each player's payoffs, ``u_i -> scale_i * u_i + shift_i``, as two
    arrays ``(scales, shifts)`` of length ``n_players``.

    Scales are powers of ten from 1e-300 to 1e300, drawn per player (one for all with
    ``common_scale``); each shift is up to 100 times its player's scale (a shift far beyond the
    scale would erase the payoffs' differences in floating point, which no solver can undo)."""
    exponents = st.integers(-300, 300)
    if common_scale:
        scales = np.full(n_players, 10.0 ** draw(exponents))
    else:
        scales = np.array([10.0 ** draw(exponents) for _ in range(n_players)])
    shifts = np.array([draw(st.sampled_from([0.0, 1.0, -7.5, 100.0])) for _ in range(n_players)]) * scales
    return scales, shifts


def mapped_game(game: NormalFormGame, scales, shifts) -> NormalFormGame:
    """``game`` with player ``i``'s payoffs multiplied by ``scales[i]`` and shifted by ``shifts[i]``."""
    return game.with_payoffs(game.payoffs * np.asarray(scales) + np.asarray(shifts))


@st.composite
def chance_moves(draw, min_outcomes=3, max_outcomes=5):
    """A chance move of a scenario as ``(outcomes, parameters, probabilities)``.

    Three or more outcomes with probabilities other than 1/2 (drawn weights normalised), one of
    them ``"rest"`` at any position, the others numbers or parameters (whose defaults are the
    probabilities, bounds [0, 1]); ``probabilities`` lists the expected value of each outcome in
    order, ``rest`` included (1 minus all the others)."""
    k = draw(st.integers(min_outcomes, max_outcomes))
    weights = draw(st.lists(st.integers(1, 13), min_size=k, max_size=k))
    probs = [w / sum(weights) for w in weights]
    rest = draw(st.integers(0, k - 1))
    outcomes, params = {}, {}
    for j, p in enumerate(probs):
        if j == rest:
            outcomes[f"o{j}"] = "rest"
        elif draw(st.booleans()):
            params[f"q{j}"] = {"default": p, "min": 0.0, "max": 1.0}
            outcomes[f"o{j}"] = f"q{j}"
        else:
            outcomes[f"o{j}"] = p
    probs[rest] = 1.0 - sum(p for j, p in enumerate(probs) if j != rest)
    return outcomes, params, probs


@st.composite
def chance_tie_trees(draw, perfect_information=False):
    """Trees whose ties are reached through averages with probabilities 1/3, so that the two sides
    of a tie are equal in exact arithmetic and differ in floats by round-off (about 1e-16 of the
    payoffs, 1e-12 once the reduced normal form has rounded them).

    Chance draws one of three equally likely states; player 0 moves (two actions), seeing the
    state or not; with two players, player 1 may move next (two actions), seeing player 0's move
    and the state or not; then chance draws one of three equally likely terminals. Payoffs are
    small integers; at a drawn choice of information sets the mover's payoffs after its second
    action are a permutation of those after its first across the whole information set, so the
    two actions tie exactly before round-off. With ``perfect_information``, every mover sees the
    state (the trees :func:`sim.extensive.spe.spe_batch` takes)."""
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    n = draw(st.integers(1, 2))
    hidden0 = not perfect_information and draw(st.booleans())
    second = n == 2 and draw(st.booleans())
    hidden1 = second and not perfect_information and draw(st.booleans())
    m = 2 if second else 1
    values = st.sampled_from([-2.0, -1.0, 0.0, 0.0, 1.0, 2.0])
    pay = np.array(draw(st.lists(values, min_size=3 * 2 * m * 3 * n, max_size=3 * 2 * m * 3 * n))).reshape(3, 2, m, 3, n)

    def permute(dst, src):  # dst[...] = a drawn permutation of src's entries
        flat = src.reshape(-1).tolist()
        return np.array(draw(st.permutations(flat))).reshape(dst.shape)

    for group in ([slice(None)] if hidden0 else [slice(s, s + 1) for s in range(3)]):
        if draw(st.booleans()):
            pay[group, 1, :, :, 0] = permute(pay[group, 1, :, :, 0], pay[group, 0, :, :, 0])
    if second:
        for a0 in range(2):
            for group in ([slice(None)] if hidden1 else [slice(s, s + 1) for s in range(3)]):
                if draw(st.booleans()):
                    pay[group, a0, 1, :, 1] = permute(pay[group, a0, 1, :, 1], pay[group, a0, 0, :, 1])
    third = (1 / 3, 1 / 3, 1 / 3)
    names = ("o0", "o1", "o2")

    def leaves(s, a0, a1):
        return Chance(names, third, tuple(Terminal(tuple(float(x) for x in pay[s, a0, a1, o])) for o in range(3)))

    def after(s, a0):
        if not second:
            return leaves(s, a0, 0)
        return Decision(1, f"b{a0}" if hidden1 else f"b{s}{a0}", ("l", "r"), (leaves(s, a0, 0), leaves(s, a0, 1)))

    root = Chance(names, third, tuple(
        Decision(0, "a" if hidden0 else f"a{s}", ("x", "y"), (after(s, 0), after(s, 1))) for s in range(3)))
    return ExtensiveFormGame.from_root(tuple(f"P{i}" for i in range(n)), root)


@st.composite
def ragged_round_trees(draw, max_rounds=3, max_continuing=3, integer_payoffs=True):
    """Two players in turn playing a 2x2 game (player 0 moves, then player 1 without seeing it;
    both see every earlier round), for up to ``max_rounds`` rounds; after each round at most
    ``max_continuing`` of the histories drawn go on, the rest end. A plan that avoids a
    continuing history leaves a subtree unplayed with information sets inside where the owner
    may mix, so the sequence form's plan values tie (several sequences reach zero on one step):
    the degeneracy the vertex searches of ``seqenum`` must agree on. Small integer payoffs make
    further ties common; with ``integer_payoffs=False`` they are uniform in [-10, 10] (three
    decimals) from a drawn seed, generic like the benchmark's rounds."""
    from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal

    if integer_payoffs:
        pay = st.integers(-2, 2)
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        pay = st.builds(lambda: round(float(rng.uniform(-10, 10)), 3))
    budget = [max_continuing]

    def node(r, history):
        if r == max_rounds or (r > 0 and (budget[0] == 0 or not draw(st.booleans()))):
            return Terminal((float(draw(pay)), float(draw(pay))))
        if r > 0:
            budget[0] -= 1
        kids = tuple(Decision(1, f"B{history}", ("l", "r"), tuple(node(r + 1, f"{history}{a}{b}") for b in "lr"))
                     for a in "ud")
        return Decision(0, f"A{history}", ("u", "d"), kids)

    return ExtensiveFormGame.from_root(("A", "B"), node(0, ""), "ragged rounds in turn")


@st.composite
def any_recall_trees(draw, max_depth=4, max_players=3):
    """Small trees with no promise of perfect recall: each decision node takes its information set
    from a pool of a few per player (so a set may recur on one path, absent-mindedness, or after
    different own histories), chance moves have two or three outcomes (probabilities in halves,
    quarters or thirds), and a node's children may be one subtree object used twice, as a tree
    built by hand often shares one. Payoffs are small integers, so reduced strategies tie."""
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    n = draw(st.integers(1, max_players))
    pool = {(i, k): draw(st.integers(1, 3)) for i in range(n) for k in range(draw(st.integers(1, 3)))}
    names = sorted(pool)

    def node(depth):
        kind = draw(st.integers(0, 4)) if depth < max_depth else 0
        if kind == 0:
            return Terminal(tuple(float(draw(st.integers(-2, 2))) for _ in range(n)))
        if kind == 1:
            b = draw(st.integers(2, 3))
            probs = (1 / 3, 1 / 3, 1 / 3) if b == 3 else draw(st.sampled_from([(0.25, 0.75), (0.5, 0.5)]))
            outcomes = tuple(f"o{a}" for a in range(b))
        else:
            i, k = draw(st.sampled_from(names))
            b = pool[(i, k)]
        kids = []
        for _ in range(b):
            kids.append(kids[-1] if kids and draw(st.integers(0, 3)) == 0 else node(depth + 1))
        if kind == 1:
            return Chance(outcomes, probs, tuple(kids))
        return Decision(i, f"h{i}.{k}", tuple(f"a{a}" for a in range(b)), tuple(kids))

    return ExtensiveFormGame.from_root(tuple(f"P{i}" for i in range(n)), node(0))


def affine_tree(game, scale, shift):
    """``game`` with every payoff ``x`` replaced by ``scale * x + shift`` (with ``scale > 0``, the
    same equilibria and assessments: what the unit-invariance properties compare)."""
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    def walk(node):
        if isinstance(node, Terminal):
            return Terminal(tuple(scale * x + shift for x in node.payoffs))
        kids = tuple(walk(c) for c in node.children)
        if isinstance(node, Chance):
            return Chance(node.outcomes, node.probs, kids, node.label, node.infoset)
        return Decision(node.player, node.infoset, node.actions, kids, node.label)

    return ExtensiveFormGame.from_root(game.players, walk(game.root))
