"""Plain-text tables of results for people: actions by name, never indices.

The two ways an equilibrium's play is named, everywhere in ``analysis`` (tables, reports, sweep
result files, comparisons), are here:

* :func:`strategy_text` - one player's mixed strategy: the action played, or each action with
  positive probability and that probability (``"drop:0.5 keep:0.5"``);
* :func:`outcome_label` - the sweep's label of an equilibrium: each player's action, or support
  joined by ``|`` (``"US=drop, NATO=engage|wait"``). Sweep files store these labels, so the text
  must not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.result import SolverResult

#: Probabilities at or below this are "not played" in :func:`strategy_text`.
PLAYED_TOL = 1e-9


def strategy_text(actions, probs, digits: int = 4) -> str:
    """One player's strategy: the action if pure, else ``action:probability`` for each action played.

    Examples
    --------
    >>> strategy_text(["drop", "keep"], [1.0, 0.0])
    'drop'
    >>> strategy_text(["drop", "keep", "wait"], [1 / 3, 2 / 3, 0.0])
    'drop:0.3333 keep:0.6667'
    >>> strategy_text(["drop", "keep"], [1 / 3, 2 / 3], digits=3)
    'drop:0.333 keep:0.667'
    """
    played = [(a, p) for a, p in zip(actions, probs) if p > PLAYED_TOL]
    if len(played) == 1:
        return played[0][0]
    return " ".join(f"{a}:{p:.{digits}g}" for a, p in played)


def outcome_label(game, eq) -> str:
    """The sweep's label of an equilibrium: each player's action, or support joined by ``|``.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> from sim.result import Equilibrium
    >>> g = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]], players=("A", "B"),
    ...                                  actions=(("x", "y"), ("x", "y")))
    >>> outcome_label(g, Equilibrium.certify(g, ([1, 0], [1, 0])))
    'A=x, B=x'
    >>> outcome_label(g, Equilibrium.certify(g, ([0.5, 0.5], [0.5, 0.5])))
    'A=x|y, B=x|y'
    """
    if not eq.support and eq.details and "path" in eq.details:
        # A tree's equilibrium held as behaviour only (a tree too large for its reduced normal
        # form): its play is its label.
        return path_text(eq.details["path"], digits=3)
    return ", ".join(
        f"{p}={'|'.join(game.actions[i][a] for a in eq.support[i])}" for i, p in enumerate(game.players)
    )


def format_game(game) -> str:
    """One header line naming the game, its players and their action counts.

    A game tree is described by its nodes and each player's decision points (information sets),
    never by its reduced strategies, which a large tree has too many of to build.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> print(format_game(NormalFormGame.from_bimatrix([[1, 0]], [[0, 1]], title="T")))
    T: 2 players, 1x2 (1: 1 actions; 2: 2 actions)
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))), title="Entry")
    >>> print(format_game(g))
    Entry: 2 players, game tree of 5 nodes (E: 1 decision point; I: 1 decision point)
    """
    title = getattr(game, "title", "") or "game"
    infosets = getattr(game, "infosets", None)
    if infosets is not None:
        n = [sum(1 for i, _ in infosets.values() if i == k) for k in range(len(game.players))]
        counts = "; ".join(f"{p}: {c} decision point{'' if c == 1 else 's'}" for p, c in zip(game.players, n))
        return f"{title}: {len(game.players)} players, game tree of {game.n_nodes} nodes ({counts})"
    shape = getattr(game, "shape", None)
    if shape is None:  # neither a normal-form game nor a tree: name it only
        return f"{title}: {len(game.players)} players"
    counts = "; ".join(f"{p}: {n} actions" for p, n in zip(game.players, shape))
    return f"{title}: {len(game.players)} players, {'x'.join(map(str, shape))} ({counts})"


def plan_text(plan, digits: int = 4) -> str:
    """A tree equilibrium's strategy of one player: ``decision point: action`` for each of its
    decision points (joined by ``; ``), or each action played with its probability where it mixes.

    Examples
    --------
    >>> plan_text({"E": "in", "I|E=in": {"fight": 0.25, "accommodate": 0.75}})
    'E: in; I|E=in: fight:0.25 accommodate:0.75'
    """
    return "; ".join(f"{h}: {a}" if isinstance(a, str) else f"{h}: {strategy_text(list(a), list(a.values()), digits)}"
                     for h, a in plan.items())


def path_text(path, digits: int = 4) -> str:
    """The play of a tree equilibrium: each move on the path (with its probability when below 1).

    Examples
    --------
    >>> path_text([{"mover": "E", "action": "in", "probability": 1.0},
    ...            {"mover": "chance", "action": "rain", "probability": 0.25}])
    'E in -> chance rain (0.25)'
    """
    return " -> ".join(f"{s['mover']} {s['action']}" + ("" if s["probability"] > 1 - 1e-12
                                                        else f" ({s['probability']:.{digits}g})") for s in path)


def _count(n: int) -> str:
    """``"1 equilibrium"``, ``"3 equilibria"``."""
    return f"{n} equilibri{'um' if n == 1 else 'a'}"


def format_result(result: "SolverResult") -> str:
    """A result as a small table: one line per equilibrium, actions and payoffs by name.

    An equilibrium of a tree held as a behaviour profile only (a tree too large for its reduced
    normal form) is shown by each player's decision points and the path of play.
    """
    game = result.game
    if getattr(game, "infosets", None) is not None:
        return _format_tree_result(result)
    flags = [f"complete={result.complete}"]
    if result.degenerate:
        flags.append("degenerate")
    if result.converged is not None:
        flags.append(f"converged={result.converged}")
    lines = [f"{result.method}: {_count(len(result.equilibria))} ({', '.join(flags)})"]
    for k, eq in enumerate(result.equilibria, 1):
        strategies = "; ".join(
            f"{p}={strategy_text(game.actions[i], eq.profile[i])}" for i, p in enumerate(game.players)
        )
        payoffs = ", ".join(f"{p} {v:.4g}" for p, v in zip(game.players, eq.payoffs))
        lines.append(f"  {k:>3}. {strategies}  | payoffs: {payoffs}  | max regret {eq.max_regret:.2e}")
    return "\n".join(lines + _incomplete_note(result))


def _incomplete_note(result: "SolverResult") -> list[str]:
    """One line saying why a result is not complete, when the method recorded why."""
    reason = result.details.get("incomplete_reason")
    return [f"  not complete: {reason}"] if reason and not result.complete else []


def _format_tree_result(result: "SolverResult") -> str:
    game = result.game
    flags = [f"complete={result.complete}"]
    lines = [f"{result.method}: {_count(len(result.equilibria))} ({', '.join(flags)})"]
    for k, eq in enumerate(result.equilibria, 1):
        payoffs = ", ".join(f"{p} {v:.4g}" for p, v in zip(game.players, eq.payoffs))
        lines.append(f"  {k:>3}. path: {path_text(eq.details.get('path', []))}  | payoffs: {payoffs}  "
                     f"| max regret {eq.max_regret:.2e}")
        for p, plan in eq.details.get("plan", {}).items():
            if plan:
                lines.append(f"       {p}: {plan_text(plan)}")
    return "\n".join(lines + _incomplete_note(result))


def _belief_number(exact: str, digits: int) -> str:
    """A threshold as ``5/12 (0.4167)``; a fraction with a huge denominator (float noise in the
    payoffs) is shown by its decimal only."""
    from fractions import Fraction

    q = Fraction(exact)
    if q.denominator == 1 or q.denominator > 10**6:
        return f"{float(q):.{digits}g}"
    return f"{q} ({float(q):.{digits}g})"


def belief_text(th, uncertainty, digits: int = 4) -> str:
    """One sentence: where the mover's best answer at an information set flips with its belief.

    ``th`` is a :class:`sim.extensive.beliefs.BeliefThresholds`, ``uncertainty`` the set's
    :class:`sim.extensive.beliefs.Uncertainty`. For a two-node set the sentence names the event
    whose probability is the belief (the first node's outcome of the move where the two histories
    part) and each exact threshold; for larger sets it says whether one action is a best answer
    whatever the belief.

    Examples
    --------
    >>> from sim.extensive.beliefs import belief_thresholds, uncertainty
    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> ans = lambda a, b: Decision(1, "R", ("pressure", "shield_iran"), (Terminal((0.0, a)), Terminal((0.0, b))),
    ...                             "russia_answer")
    >>> g = ExtensiveFormGame.from_root(("US", "Russia"), Chance(("committed", "bluffing"), (0.3, 0.7), (
    ...     Decision(0, "c", ("announce",), (ans(7.0, 0.0),)), Decision(0, "b", ("announce",), (ans(0.0, 5.0),))),
    ...     "us_type"))
    >>> print(belief_text(belief_thresholds(g, "R"), uncertainty(g, "R")))
    Russia (at R) chooses pressure when it believes us_type=committed with probability above 5/12 (0.4167); below, it chooses shield_iran.
    """
    from fractions import Fraction

    who = f"{th.player} (at {th.infoset})"

    def answers(belief) -> str:
        return " or ".join(th.best_answers(belief))

    if len(th.nodes) != 2 or uncertainty.event is None:
        about = ", ".join(uncertainty.moves) or "its position"
        corners = [th.best_answers([float(i == k) for i in range(len(th.nodes))]) for k in range(len(th.nodes))]
        common = [a for a in th.actions if all(a in c for c in corners)]
        if common:
            return f"{who} chooses {' or '.join(common)} whatever it believes about {about}."
        used = [r.action for r in th.regions if r.vertices]
        return (f"{who}: its best answer depends on its belief over its {len(th.nodes)} nodes (about {about}): "
                f"{', '.join(used)}, each on a region of the belief simplex.")
    move, outcome = uncertainty.event
    cuts = [Fraction(0), *map(Fraction, th.exact_thresholds), Fraction(1)]
    parts = [answers([float(q), 1 - float(q)]) for q in ((a + b) / 2 for a, b in zip(cuts, cuts[1:]))]
    event = f"{move}={outcome}"
    if not th.exact_thresholds:
        return f"{who} chooses {parts[0]} whatever it believes about {move}."
    t = [_belief_number(x, digits) for x in th.exact_thresholds]
    if len(t) == 1:
        return (f"{who} chooses {parts[1]} when it believes {event} with probability above {t[0]}; "
                f"below, it chooses {parts[0]}.")
    middle = ", ".join(f"{parts[k]} between {t[k - 1]} and {t[k]}" for k in range(1, len(t)))
    return (f"{who} chooses {parts[0]} when it believes {event} with probability below {t[0]}, "
            f"{middle}, and {parts[-1]} above {t[-1]}.")


def belief_document(game, result) -> dict:
    """The belief thresholds of a tree's information sets with more than one node, as ``bargain
    solve --json`` stores them under a tree result's ``details["belief_thresholds"]``.

    Later moves are valued under the result's first equilibrium's behaviour (``"equilibrium": 0``;
    None when there is none, and then sets whose actions do not end the game are skipped). Each
    entry of ``"infosets"`` has ``infoset``, ``player``, ``uncertainty`` (``moves``, ``event``),
    ``text`` (:func:`belief_text`) and ``skipped`` (None, or why the set was skipped); unless
    skipped it also has :meth:`sim.extensive.beliefs.BeliefThresholds.to_dict`'s ``nodes``,
    ``actions``, ``payoffs``, ``regions``, ``thresholds`` and ``exact_thresholds``.

    Examples
    --------
    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> from sim.registry import solve
    >>> R = lambda a, b: Decision(1, "R", ("u", "d"), (Terminal((0.0, a)), Terminal((0.0, b))))
    >>> g = ExtensiveFormGame.from_root(("S", "Rx"), Chance(("t1", "t2"), (0.5, 0.5), (
    ...     Decision(0, "t1", ("R",), (R(1.0, 0.0),)), Decision(0, "t2", ("R",), (R(0.0, 2.0),)))))
    >>> doc = belief_document(g, solve(g, "pbe"))
    >>> doc["equilibrium"], doc["infosets"][0]["exact_thresholds"], doc["infosets"][0]["text"]
    (0, ['2/3'], 'Rx (at R) chooses u when it believes chance=t1 with probability above 2/3 (0.6667); below, it chooses d.')
    """
    from sim.extensive.beliefs import all_belief_thresholds

    behaviour = result.equilibria[0].details.get("behaviour") if result.equilibria else None
    entries = []
    for th, u, why in all_belief_thresholds(game, behaviour):
        entry = {"infoset": u.infoset, "player": game.players[game.infosets[u.infoset][0]],
                 "uncertainty": u.to_dict(), "text": None, "skipped": why or None}
        if th is not None:
            entry.update({k: v for k, v in th.to_dict().items() if k not in ("infoset", "player")})
            entry["text"] = belief_text(th, u)
        entries.append(entry)
    return {"equilibrium": 0 if behaviour is not None else None, "infosets": entries}


def belief_lines(doc: dict) -> list[str]:
    """Plain-text lines of a :func:`belief_document` (empty when no set has more than one node).

    Examples
    --------
    >>> belief_lines({"equilibrium": 0, "infosets": [{"text": "R (at h) chooses u whatever it believes about t.",
    ...                                              "skipped": None}]})
    ['belief thresholds (later moves as in equilibrium 1):', '  R (at h) chooses u whatever it believes about t.']
    """
    if not doc["infosets"]:
        return []
    k = doc["equilibrium"]
    head = ("belief thresholds (later moves as in equilibrium 1):" if k == 0
            else "belief thresholds (no equilibrium: sets whose actions do not end the game are skipped):")
    return [head, *(f"  {e['text']}" if e["text"] else f"  {e['infoset']}: skipped ({e['skipped']})"
                    for e in doc["infosets"])]
