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


def number_text(v: float, digits: int = 4) -> str:
    """A payoff or probability for a reader: ``digits`` significant figures, float noise shown as 0.

    Examples
    --------
    >>> number_text(1.388e-17), number_text(-2.2e-16), number_text(3.7), number_text(2 / 3)
    ('0', '0', '3.7', '0.6667')
    """
    v = float(v)
    return "0" if abs(v) < ZERO_TOL else f"{v:.{digits}g}"


#: Numbers smaller than this in absolute value are float noise, shown as ``0`` (:func:`number_text`).
ZERO_TOL = 1e-12


def format_result(result: "SolverResult", tree=None) -> str:
    """A result as a small table: one line per equilibrium, actions and payoffs by name.

    A result on a game tree (``result.game`` is the tree, or ``tree`` is given and the result
    refers to its reduced normal form) is shown by each equilibrium's path of play, with the
    probability of each move below 1, then the choices off the path, one line per decision point
    named by its mover and what it has seen (:func:`sim.extensive.names.decision_point_names`).

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> from sim.registry import solve
    >>> g = ExtensiveFormGame.from_root(("Entrant", "Incumbent"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> print(format_result(solve(g, "enumpure"), tree=g))
    enumpure: 2 equilibria (complete=True)
        1. path: Entrant out  | payoffs: Entrant 0, Incumbent 2  | max regret 0
           off the path: Incumbent, after Entrant in: fight
        2. path: Entrant in -> Incumbent accommodate  | payoffs: Entrant 1, Incumbent 1  | max regret 0
    """
    game = result.game
    if tree is None and getattr(game, "infosets", None) is not None:
        tree = game
    if tree is not None and getattr(tree, "infosets", None) is not None:
        return _format_tree_result(result, tree)
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
        payoffs = ", ".join(f"{p} {number_text(v)}" for p, v in zip(game.players, eq.payoffs))
        lines.append(f"  {k:>3}. {strategies}  | payoffs: {payoffs}  | max regret {_regret(eq.max_regret)}")
    lines += [f"  {line}" for line in result_notes(result)]
    return "\n".join(lines + _incomplete_note(result))


def _incomplete_note(result: "SolverResult") -> list[str]:
    """One line saying why a result is not complete, when the method recorded why."""
    reason = result.details.get("incomplete_reason")
    return [f"  not complete: {reason}"] if reason and not result.complete else []


def result_notes(result) -> list[str]:
    """Sentences a method's result owes its reader beyond the equilibria: the continua
    ``enumpoly`` found, what ``dominance`` eliminated.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> from sim.solvers import solve
    >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], players=("Row", "Col"),
    ...                                  actions=(("C", "D"), ("C", "D")))
    >>> result_notes(solve(g, "dominance"))
    ['eliminated, in order: Row C (dominated by D), Col C (dominated by D); 1 action each survives']
    >>> g = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]], players=("A", "B"))
    >>> result_notes(solve(g, "enumpoly"))[0]
    'a continuum of equilibria: 3 segments (supports A 1|2, B 1|2; A 1|2, B 1; A 1|2, B 2); the equilibria listed include their end points and one inside point each'
    >>> result_notes(solve(g, "enummixed"))
    ['3 maximal Nash subsets (every mixture of the row and of the column strategies within one is an equilibrium), by the numbers above: {1, 2}, {2, 3}, {3, 4}']
    """
    game, details = result.game, result.details or {}
    notes = []
    if result.method == "dominance" and "eliminated" in details:
        gone = details["eliminated"]
        if not gone:
            notes.append("eliminated nothing: no action is dominated")
        else:
            def by(d):
                if isinstance(d, str):
                    return d
                return strategy_text(list(d), list(d.values()), 3)

            left = [len(s) for s in details.get("surviving", ())]
            tail = ("; 1 action each survives" if left and all(n == 1 for n in left)
                    else "; left: " + ", ".join(f"{p} {n}" for p, n in zip(game.players, left)) if left else "")
            notes.append("eliminated, in order: " + ", ".join(
                f"{e['player']} {e['action']} (dominated by {by(e['dominated_by'])})" for e in gone) + tail)
    continua = details.get("continua") if result.method == "enumpoly" else None
    if continua:
        kinds: dict[str, int] = {}
        for c in continua:
            kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
        what = ", ".join(f"{n} {k}{'' if n == 1 else 's'}" for k, n in kinds.items())
        supports = "; ".join(", ".join(f"{p} {'|'.join(game.actions[i][a] for a in c['support'][i])}"
                                       for i, p in enumerate(game.players)) for c in continua)
        notes.append(f"a continuum of equilibria: {what} (supports {supports}); the equilibria listed include "
                     f"their end points and one inside point each")
    subsets = details.get("maximal_subsets") if result.method == "enummixed" else None
    if subsets and any(len(s) > 1 for s in subsets):
        shown = ", ".join("{" + ", ".join(str(t + 1) for t in s) + "}" for s in subsets[:MAX_SUBSETS_SHOWN])
        more = f" and {len(subsets) - MAX_SUBSETS_SHOWN} more" if len(subsets) > MAX_SUBSETS_SHOWN else ""
        notes.append(f"{len(subsets)} maximal Nash subsets (every mixture of the row and of the column "
                     f"strategies within one is an equilibrium), by the numbers above: {shown}{more}")
    return notes


#: Maximal Nash subsets listed by number before "and N more".
MAX_SUBSETS_SHOWN = 20


def _regret(v: float) -> str:
    return "0" if abs(v) < ZERO_TOL else f"{v:.2e}"


#: Off-path lines shown per equilibrium before "... and N more".
MAX_OFF_PATH_LINES = 40


def tree_play(tree, eq):
    """``(behaviour, unplanned)`` of an equilibrium of ``tree``: its behaviour profile (infoset ->
    action probabilities) and the information sets its own player's play never reaches (a
    reduced strategy says nothing there). The equilibrium is one of a tree method (it holds its
    behaviour) or of a method run on the tree's reduced normal form (a mixed reduced profile,
    turned into behaviour by Kuhn's (1953) theorem)."""
    behaviour = getattr(eq, "behaviour", None)
    if behaviour is None and eq.details:
        behaviour = eq.details.get("behaviour")
    if behaviour is not None:
        return behaviour, set()
    from sim.extensive.reduced import behaviour_from_mixed, reduced_strategies

    plans = reduced_strategies(tree)
    unplanned = {h for h, (i, _) in tree.infosets.items()
                 if not any(h in plan for plan, p in zip(plans[i], eq.profile[i]) if p > PLAYED_TOL)}
    return behaviour_from_mixed(tree, eq.profile), unplanned


def play_text(tree, behaviour, digits: int = 4, max_branches: int = 32) -> str:
    """The play of a tree under a behaviour profile, for a reader: each move as ``Player action``
    (a chance move as ``chance: outcome``), in order, each branch with its probability; the one
    naming rule of :func:`sim.extensive.names.play_text`, which the sweep's ``path`` column,
    regions and reports share.

    Examples
    --------
    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> R = lambda h: Decision(1, h, ("press", "shield"), (Terminal((1.0, 0.0)), Terminal((0.0, 1.0))))
    >>> g = ExtensiveFormGame.from_root(("US", "Russia"), Chance(("hawk", "dove"), (0.25, 0.75), (
    ...     Decision(0, "u1", ("keep", "drop"), (R("r1"), Terminal((0.0, 0.0)))),
    ...     Decision(0, "u2", ("keep", "drop"), (R("r2"), Terminal((0.0, 0.0))))), "us_type"))
    >>> play_text(g, {"u1": [1, 0], "u2": [0, 1], "r1": [0.5, 0.5], "r2": [1, 0]})
    'chance: hawk (p=0.25) -> US keep -> Russia press (p=0.5)|shield (p=0.5); chance: dove (p=0.75) -> US drop'
    """
    from sim.extensive.names import play_text as named_play

    return named_play(tree, behaviour, digits=digits, max_branches=max_branches)


def off_path_lines(tree, behaviour, unplanned=(), names=None, digits: int = 4) -> list[str]:
    """``"decision point: choice"`` for each decision point the play does not reach, in tree order.

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "e", ("out", "in"), (
    ...     Terminal((0.0, 2.0)), Decision(1, "i", ("fight", "yield"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> off_path_lines(g, {"e": [1.0, 0.0], "i": [0.5, 0.5]})
    ['I, after E in: fight:0.5 yield:0.5']
    """
    from sim.extensive.names import decision_point_names, reached_infosets

    names = names if names is not None else decision_point_names(tree)
    reached = reached_infosets(tree, behaviour)
    out = []
    for h, (_, actions) in tree.infosets.items():
        if h in reached:
            continue
        choice = ("any (its own earlier choices rule it out)" if h in unplanned
                  else strategy_text(actions, list(behaviour[h]), digits))
        out.append(f"{names[h]}: {choice}")
    return out


def play_document(tree, eq, names=None) -> dict:
    """A tree equilibrium's play and choices for ``--json``: ``"play"`` (its text, each move by
    player and action, each branch with its probability: :func:`play_text`) and
    ``"decision_points"``, one entry per information set in tree order with its ``infoset`` id,
    readable ``name`` (:func:`sim.extensive.names.decision_point_names`), ``player``, whether play
    reaches it (``on_path``) and the ``choice`` there (``{action: probability}``, or ``"any"`` where
    the player's own earlier choices rule it out).

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> from sim.registry import solve
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "e", ("out", "in"), (
    ...     Terminal((0.0, 2.0)), Decision(1, "i", ("fight", "yield"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> doc = play_document(g, solve(g, "spe").equilibria[0])
    >>> doc["play"], doc["decision_points"][1]
    ('E in -> I yield', {'infoset': 'i', 'name': 'I, after E in', 'player': 'I', 'on_path': True, 'choice': {'fight': 0.0, 'yield': 1.0}})
    """
    from sim.extensive.names import decision_point_names, reached_infosets

    names = names if names is not None else decision_point_names(tree)
    behaviour, unplanned = tree_play(tree, eq)
    reached = reached_infosets(tree, behaviour)
    points = [{"infoset": h, "name": names[h], "player": tree.players[i], "on_path": h in reached,
               "choice": "any" if h in unplanned else {a: float(x) for a, x in zip(acts, behaviour[h])}}
              for h, (i, acts) in tree.infosets.items()]
    return {"play": play_text(tree, behaviour), "decision_points": points}


def consistency_text(consistency: dict) -> str:
    """One line on whether a PBE's beliefs are Kreps-Wilson consistent (``details["consistency"]``
    of :func:`sim.extensive.consistency.check_consistency`).

    Examples
    --------
    >>> consistency_text({"consistent": True, "reason": "", "orders": {}})
    'beliefs consistent (Kreps-Wilson): a sequential equilibrium'
    >>> consistency_text({"consistent": None, "reason": "no certificate", "orders": {}})
    'beliefs consistent (Kreps-Wilson): undecided (no certificate)'
    """
    verdict = consistency["consistent"]
    if verdict is True:
        return "beliefs consistent (Kreps-Wilson): a sequential equilibrium"
    if verdict is False:
        return f"beliefs not consistent (Kreps-Wilson), not a sequential equilibrium: {consistency['reason']}"
    return f"beliefs consistent (Kreps-Wilson): undecided ({consistency['reason']})"


def _format_tree_result(result: "SolverResult", tree) -> str:
    from sim.extensive.names import decision_point_names
    flags = [f"complete={result.complete}"]
    if result.degenerate:
        flags.append("degenerate")
    if result.converged is not None:
        flags.append(f"converged={result.converged}")
    lines = [f"{result.method}: {_count(len(result.equilibria))} ({', '.join(flags)})"]
    names = decision_point_names(tree) if result.equilibria else {}
    for k, eq in enumerate(result.equilibria, 1):
        behaviour, unplanned = tree_play(tree, eq)
        payoffs = ", ".join(f"{p} {number_text(v)}" for p, v in zip(tree.players, eq.payoffs))
        lines.append(f"  {k:>3}. path: {play_text(tree, behaviour)}  | payoffs: {payoffs}  "
                     f"| max regret {_regret(eq.max_regret)}")
        consistency = (eq.details or {}).get("consistency")
        if isinstance(consistency, dict) and "consistent" in consistency:
            lines.append(f"       {consistency_text(consistency)}")
        off = off_path_lines(tree, behaviour, unplanned, names)
        if len(off) == 1:
            lines.append(f"       off the path: {off[0]}")
        elif off:
            lines.append("       off the path:")
            lines += [f"         {line}" for line in off[:MAX_OFF_PATH_LINES]]
            if len(off) > MAX_OFF_PATH_LINES:
                lines.append(f"         ... and {len(off) - MAX_OFF_PATH_LINES} more decision points")
    return "\n".join(lines + _incomplete_note(result))


def _belief_number(exact: str, digits: int) -> str:
    """A threshold as ``5/12 (0.4167)``; a fraction with a huge denominator (float noise in the
    payoffs) is shown by its decimal only."""
    from fractions import Fraction

    q = Fraction(exact)
    if q.denominator == 1 or q.denominator > 10**6:
        return f"{float(q):.{digits}g}"
    return f"{q} ({float(q):.{digits}g})"


def belief_text(th, uncertainty, digits: int = 4, name: str | None = None) -> str:
    """One sentence: where the mover's best answer at an information set flips with its belief.

    ``th`` is a :class:`sim.extensive.beliefs.BeliefThresholds`, ``uncertainty`` the set's
    :class:`sim.extensive.beliefs.Uncertainty`, ``name`` the set's readable name
    (:func:`sim.extensive.names.decision_point_names`; default: the player and the set's id). For a two-node set the sentence names the event
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

    # ``name``: the decision point's readable name (sim.extensive.names), in commas; else its id.
    who = f"{name}," if name else f"{th.player} (at {th.infoset})"

    def answers(belief) -> str:
        return " or ".join(th.best_answers(belief))

    if len(th.nodes) != 2 or uncertainty.event is None:
        about = ", ".join(uncertainty.moves) or "its position"
        corners = [th.best_answers([float(i == k) for i in range(len(th.nodes))]) for k in range(len(th.nodes))]
        common = [a for a in th.actions if all(a in c for c in corners)]
        if common:
            return f"{who} chooses {' or '.join(common)} whatever it believes about {about}."
        used = [r.action for r in th.regions if r.vertices]
        return (f"{who.rstrip(',')}: its best answer depends on its belief over its {len(th.nodes)} nodes (about {about}): "
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
    (0, ['2/3'], 'Rx, after S R, chooses u when it believes chance=t1 with probability above 2/3 (0.6667); below, it chooses d.')
    """
    from sim.extensive.beliefs import all_belief_thresholds
    from sim.extensive.names import decision_point_names

    behaviour = result.equilibria[0].details.get("behaviour") if result.equilibria else None
    names = None
    entries = []
    for th, u, why in all_belief_thresholds(game, behaviour):
        entry = {"infoset": u.infoset, "player": game.players[game.infosets[u.infoset][0]],
                 "uncertainty": u.to_dict(), "text": None, "skipped": why or None}
        if th is not None:
            entry.update({k: v for k, v in th.to_dict().items() if k not in ("infoset", "player")})
            names = names if names is not None else decision_point_names(game)
            entry["text"] = belief_text(th, u, name=names.get(u.infoset))
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


def _when_text(when) -> str:
    """A move's condition on earlier moves, for people: ``us_announce = announce`` (``always`` when none).

    Examples
    --------
    >>> _when_text((("us_announce", ("announce",)), ("russia", ("halt", "deploy"))))
    'us_announce = announce and russia in {halt, deploy}'
    >>> _when_text(())
    'always'
    """
    return " and ".join(f"{k} in {{{', '.join(a)}}}" if len(a) > 1 else f"{k} = {a[0]}" for k, a in when) or "always"


#: The columns of :func:`timing_rows`.
TIMING_HEADERS = ("move", "who moves", "choices", "observes", "when", "assumption")


def timing_rows(scenario) -> list[list[str]]:
    """The timing of a scenario as table rows (:data:`TIMING_HEADERS`): for each move, in order,
    its name, who moves (``chance`` for a move of nature), its actions (a chance move's outcomes
    with their probabilities), what the mover observes (the earlier moves it sees), when it happens
    (its condition on earlier moves) and whether it is flagged as an assumption: ``yes`` for a
    move with ``assumption = true``, ``yes (timing)`` when the scenario flags its whole timing
    (``timing_assumption``), else ``no``. A simultaneous scenario has one row per player, each
    seeing nothing.

    Examples
    --------
    >>> from sim.scenario import loads_scenario
    >>> s = loads_scenario('''
    ... [scenario]
    ... id = "t"
    ... title = "T"
    ... timing = [
    ...   { chance = "weather", outcomes = { rain = 0.3, sun = "rest" } },
    ...   { player = "A", observes = ["weather"] },
    ...   { player = "B", name = "b_answer", when = { A = "go" }, observes = ["A"], assumption = true },
    ... ]
    ... [players.A]
    ... actions = ["go", "stay"]
    ... [players.B]
    ... actions = ["yes", "no"]
    ... [[goals]]
    ... player = "A"
    ... name = "g"
    ... weight = 1
    ... rules = [{ when = { A = "go" }, value = 1 }]
    ... ''')
    >>> for row in timing_rows(s):
    ...     print(" | ".join(row))
    weather | chance | rain (0.3), sun (rest) | - | always | no
    A | A | go, stay | weather | always | no
    b_answer | B | yes, no | A | A = go | yes
    """
    from sim.scenario.schema import move_labels

    whole = "yes (timing)" if scenario.timing_assumption else "no"
    if not scenario.sequential:
        return [[p, p, ", ".join(actions), "nothing (simultaneous moves)", "always", whole]
                for p, actions in scenario.players]
    rows = []
    for m in scenario.timing:
        flag = "yes" if m.assumption else whole
        if hasattr(m, "outcomes"):
            choices = ", ".join(f"{o} ({p:g})" if isinstance(p, (int, float)) else f"{o} ({p})" for o, p in m.outcomes)
            rows.append([m.key, "chance", choices, "-", _when_text(m.when), flag])
        else:
            rows.append([m.key, m.player, ", ".join(move_labels(scenario, m)),
                         ", ".join(m.observes) or "nothing earlier", _when_text(m.when), flag])
    return rows


def timing_lines(scenario) -> list[str]:
    """:func:`timing_rows` as an aligned plain-text table (a header line, then one line per move),
    as ``bargain show`` prints it and reports list it."""
    rows = [list(TIMING_HEADERS), *timing_rows(scenario)]
    widths = [max(len(r[k]) for r in rows) for k in range(len(TIMING_HEADERS))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
