"""Readable names of a tree's decision points: the mover and what it has seen.

An information set's id (``"russia_iran|us_plan=keep,russia_kaliningrad=halt"`` in a compiled
scenario, any string in a Gambit file) is a key, not a name for a reader. The name built here
says who moves, at which of its moves (a decision node's ``label``, the scenario move's name,
when it differs from the player's name) and after which earlier moves: the moves common to every
node of the set, that is what the mover knows happened (Kuhn 1953: with perfect recall, the nodes
of one information set share the mover's observations). For example
``"Russia (russia_iran), after US keep and Russia halt"``.

Examples
--------
>>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
>>> R = lambda: Decision(1, "r", ("press", "shield"), (Terminal((1.0, 0.0)), Terminal((0.0, 1.0))), "answer")
>>> g = ExtensiveFormGame.from_root(("US", "Russia"), Chance(("hawk", "dove"), (0.5, 0.5), (
...     Decision(0, "us|t=hawk", ("keep", "drop"), (R(), Terminal((0.0, 0.0))), "US"),
...     Decision(0, "us|t=dove", ("keep", "drop"), (R(), Terminal((0.0, 0.0))), "US")), "t"))
>>> names = decision_point_names(g)
>>> names["us|t=hawk"], names["r"]
('US, after t hawk', 'Russia (answer), after US keep')
"""

from __future__ import annotations

from typing import Mapping

from sim.extensive.nodes import Chance, Decision, Terminal

#: Trees with more nodes than this get their information-set ids as names (the walk that finds
#: what each mover has seen visits every node once, carrying its history).
MAX_NAMED_NODES = 200_000


def _join(parts: list[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def seen_moves(game) -> dict[str, tuple[str, ...]]:
    """Each information set's earlier moves common to all its nodes, as ``"mover action"`` texts
    in the order played (a chance move is named by its node label, else ``"chance"``).

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "e", ("out", "in"), (
    ...     Terminal((0.0, 2.0)), Decision(1, "i", ("fight", "yield"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> seen_moves(g)
    {'e': (), 'i': ('E in',)}
    """
    seen: dict[str, tuple] = {}
    stack = [(game.root, ())]
    while stack:
        node, history = stack.pop()
        if isinstance(node, Terminal):
            continue
        if isinstance(node, Chance):
            who = node.label or "chance"
            stack.extend((c, (*history, (len(history), f"{who} {o}"))) for o, c in zip(node.outcomes, node.children))
            continue
        h = node.infoset
        if h not in seen:
            seen[h] = history
        elif seen[h] != history:
            mine = set(history)
            seen[h] = tuple(s for s in seen[h] if s in mine)
        who = game.players[node.player]
        stack.extend((c, (*history, (len(history), f"{who} {a}"))) for a, c in zip(node.actions, node.children))
    return {h: tuple(text for _, text in seen[h]) for h in game.infosets}


def decision_point_names(game) -> Mapping[str, str]:
    """Information set id -> readable name (the mover, its move, what it has seen).

    The move is named (in brackets) when the node's label differs from the player's name; names
    that would coincide get the id appended. A tree above :data:`MAX_NAMED_NODES` nodes keeps its
    ids as names.
    """
    if game.n_nodes > MAX_NAMED_NODES:
        return {h: h for h in game.infosets}
    labels: dict[str, str] = {}
    for _, node in game.nodes():
        if isinstance(node, Decision) and node.infoset not in labels:
            labels[node.infoset] = node.label
    seen = seen_moves(game)
    names = {}
    for h, (i, _) in game.infosets.items():
        who = game.players[i]
        label = labels.get(h, "")
        head = who if not label or label == who else f"{who} ({label})"
        names[h] = f"{head}, after {_join(list(seen[h]))}" if seen[h] else f"{head}, at the start"
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    return {h: n if counts[n] == 1 else f"{n} [{h}]" for h, n in names.items()}


def reached_infosets(game, behaviour) -> set[str]:
    """Information sets reached with positive probability under a behaviour profile
    (``infoset -> action probabilities``).

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "e", ("out", "in"), (
    ...     Terminal((0.0, 2.0)), Decision(1, "i", ("fight", "yield"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> sorted(reached_infosets(g, {"e": [1.0, 0.0], "i": [0.0, 1.0]}))
    ['e']
    """
    out: set[str] = set()
    stack = [game.root]
    while stack:
        node = stack.pop()
        if isinstance(node, Terminal):
            continue
        if isinstance(node, Chance):
            stack.extend(c for p, c in zip(node.probs, node.children) if p > 1e-12)
            continue
        out.add(node.infoset)
        stack.extend(c for p, c in zip(behaviour[node.infoset], node.children) if p > 1e-12)
    return out


#: Probabilities at or below this are "not played" by :func:`play_text`.
PLAYED_TOL = 1e-12


def play_text(game, behaviour, *, probabilities: bool = True, digits: int = 4, max_branches: int = 32) -> str:
    """The play of a tree under a behaviour profile (``infoset -> action probabilities``), named
    for a reader: each move as ``Player action`` (a chance move as ``chance: outcome``, or
    ``chance (move): outcome`` in a tree with several chance moves), in the order played, joined
    by ``" -> "``.

    Where play branches (a chance move, or a mixed choice) each branch is shown with its
    probability (``(p=0.3)``; left out with ``probabilities=False``, as a sweep's ``path``
    column leaves it out, since a swept prior differs from point to point) and the play that
    follows it; branches are joined by ``"; "``, in brackets when the branching is not the
    first. Branches followed by the same play are shown once, their actions joined by ``|``
    (``Iran proceed|halt``). After ``max_branches`` branches the rest is cut with ``...``. The
    notation follows the path of play of Osborne and Rubinstein (1994, section 6.1): the
    sequence of actions from the root to a terminal history.

    Examples
    --------
    A chance root, then a move that happens only after one of its outcomes (``US announce`` is
    not there after ``dove``):

    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> R = lambda h: Decision(1, h, ("press", "shield"), (Terminal((1.0, 0.0)), Terminal((0.0, 1.0))), "answer")
    >>> g = ExtensiveFormGame.from_root(("US", "Russia"), Chance(("hawk", "dove"), (0.3, 0.7), (
    ...     Decision(0, "u", ("announce", "silent"), (R("r1"), Terminal((0.0, 0.0))), "us_plan"),
    ...     R("r2")), "us_type"))
    >>> play_text(g, {"u": [1, 0], "r1": [1, 0], "r2": [0, 1]})
    'chance: hawk (p=0.3) -> US announce -> Russia press; chance: dove (p=0.7) -> Russia shield'
    >>> play_text(g, {"u": [1, 0], "r1": [0.5, 0.5], "r2": [0, 1]}, probabilities=False)
    'chance: hawk -> US announce -> Russia press|shield; chance: dove -> Russia shield'
    """
    chance_labels = {node.label for _, node in game.nodes() if isinstance(node, Chance)}
    several = len(chance_labels) > 1
    budget = [max_branches]

    def tail(p: float) -> str:
        return f" (p={p:.{digits}g})" if probabilities else ""

    def walk(node, top: bool) -> str:
        if isinstance(node, Terminal):
            return ""
        if isinstance(node, Chance):
            who = f"chance ({node.label}):" if several and node.label else "chance:"
            names, probs = node.outcomes, node.probs
        else:
            who, names, probs = game.players[node.player], node.actions, list(behaviour[node.infoset])
        live = [(a, float(p), c) for a, p, c in zip(names, probs, node.children) if p > PLAYED_TOL]
        if not live:
            return ""
        if len(live) == 1:
            a, _, c = live[0]
            rest = walk(c, top)
            return f"{who} {a}" + (f" -> {rest}" if rest else "")
        branches = []
        for a, p, c in live:
            if budget[0] <= 0:
                branches.append(None)
                break
            budget[0] -= 1
            branches.append((a, p, walk(c, False)))
        done = [b for b in branches if b is not None]
        if branches[-1] is not None and len({rest for _, _, rest in done}) == 1:
            rest = done[0][2]
            head = f"{who} {'|'.join(f'{a}{tail(p)}' for a, p, _ in done)}"
            return head + (f" -> {rest}" if rest else "")
        parts = [f"{who} {a}{tail(p)}" + (f" -> {rest}" if rest else "") for a, p, rest in done]
        if branches[-1] is None:
            parts.append("...")
        return "; ".join(parts) if top else f"[{'; '.join(parts)}]"

    return walk(game.root, True)
