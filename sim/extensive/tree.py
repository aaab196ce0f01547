"""Finite extensive-form games as immutable trees.

A tree is built from three frozen node types: :class:`Decision` (a player moves at an information
set), :class:`Chance` (nature draws an outcome with known probabilities) and :class:`Terminal`
(payoffs). Conventions, stated once:

* Players are numbered ``0 .. N-1`` in the order of ``ExtensiveFormGame.players``; a terminal's
  ``payoffs[i]`` is player ``i``'s payoff.
* ``children[k]`` of a decision or chance node follows ``actions[k]`` / ``outcomes[k]``.
* Decision nodes in one information set share its ``infoset`` string; an infoset string belongs
  to one player and fixes the action names (it is unique across the whole game).
* A *node path* is the tuple of action/outcome names from the root; errors print it as
  ``root/enter/fight``.

Examples
--------
>>> entry = ExtensiveFormGame.from_root(
...     ("Entrant", "Incumbent"),
...     Decision(0, "E", ("out", "in"), (
...         Terminal((0.0, 2.0)),
...         Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))),
...     )),
...     title="Entry game")
>>> entry.perfect_information, entry.perfect_recall(), entry.n_nodes
(True, True, 5)
>>> list(entry.infosets)
['E', 'I']
>>> entry.reduced_normal_form().actions
(('out', 'in'), ('fight', 'accommodate'))
"""

from __future__ import annotations

import math
import operator
from itertools import chain
from operator import attrgetter
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Iterator, Mapping

import numpy as np

from sim.errors import GameError
from sim.extensive.nodes import Chance, Decision, Node, Terminal, iter_nodes, path_text
from sim.extensive.reduced import reduced_normal_form as _reduced_normal_form

PROB_TOL = 1e-9


def _where(chain) -> str:
    """Node path text of a chain ``(parent chain, name)`` (``()`` at the root), made only for an error."""
    names = []
    while chain:
        chain, name = chain
        names.append(name)
    return path_text(tuple(reversed(names)))


def _names(kind: str, names, chain, checked: dict) -> tuple[str, ...]:
    """Validated tuple of names; ``checked`` (``id -> tuple``) remembers tuples already found
    valid, so an action tuple shared by many nodes is checked once."""
    if checked.get(id(names)) is names:
        return names
    try:
        names = tuple(names)
    except TypeError:
        raise GameError(f"ExtensiveFormGame.from_root(): {kind} at {_where(chain)} must be a sequence of names; "
                        f"got {names!r}") from None
    if not names:
        raise GameError(f"ExtensiveFormGame.from_root(): a node needs at least one {kind[:-1]} at {_where(chain)}; "
                        f"got none")
    for n in names:
        if not isinstance(n, str):
            raise GameError(f"ExtensiveFormGame.from_root(): {kind} at {_where(chain)} must be strings; got {n!r}")
    if len(set(names)) != len(names):
        raise GameError(f"ExtensiveFormGame.from_root(): {kind} at {_where(chain)} must be unique; got {list(names)}")
    if all(type(n) is str for n in names):
        checked[id(names)] = names  # the dict keeps the tuple alive, so its id is not reused
    return names


def _normalise(node, chain, n_players, infosets, checked) -> Node:
    """Validate ``node`` and rebuild it with tuples and floats (so equality is structural).

    One visit per node, in preorder (so the first bad node in preorder is the one reported). The
    node path is a chain ``(parent chain, name)`` turned into text only for an error message, and
    a node that already holds tuples of floats and strings, with children returned unchanged, is
    kept as it is rather than copied: the work per node does not grow with its depth.
    """
    fn = "ExtensiveFormGame.from_root()"
    kind = type(node)
    if kind is Terminal or isinstance(node, Terminal):
        raw = node.payoffs
        try:
            payoffs = tuple(map(float, raw))
        except (TypeError, ValueError):
            raise GameError(f"{fn}: payoffs at {_where(chain)} must be numbers; got {raw!r}") from None
        if len(payoffs) != n_players:
            raise GameError(f"{fn}: payoffs at {_where(chain)} must have one entry per player ({n_players}); "
                            f"got {list(payoffs)}")
        if not all(map(math.isfinite, payoffs)):
            raise GameError(f"{fn}: payoffs at {_where(chain)} must be finite; got {list(payoffs)}")
        if (kind is Terminal and type(raw) is tuple and type(node.label) is str and type(node.outcome) is str
                and all(type(x) is float for x in raw)):
            return node
        return Terminal(payoffs, str(node.label), str(node.outcome))
    if isinstance(node, Chance):
        outcomes = _names("outcomes", node.outcomes, chain, checked)
        try:
            probs = tuple(float(p) for p in node.probs)
        except (TypeError, ValueError):
            raise GameError(f"{fn}: chance probabilities at {_where(chain)} must be numbers; "
                            f"got {node.probs!r}") from None
        children = tuple(node.children)
        if not (len(probs) == len(outcomes) == len(children)):
            raise GameError(
                f"{fn}: chance node at {_where(chain)} needs one probability and one child per outcome; "
                f"got {len(outcomes)} outcomes, {len(probs)} probabilities, {len(children)} children")
        if any(not math.isfinite(p) or p < 0 for p in probs):
            raise GameError(f"{fn}: chance probabilities at {_where(chain)} must be finite and >= 0; "
                            f"got {list(probs)}")
        if abs(sum(probs) - 1.0) > PROB_TOL:
            raise GameError(f"{fn}: chance probabilities at {_where(chain)} must sum to 1; got {list(probs)} "
                            f"(sum {sum(probs)})")
        kids = tuple(_normalise(c, (chain, o), n_players, infosets, checked) for o, c in zip(outcomes, children))
        return Chance(outcomes, probs, kids, str(node.label), str(node.infoset))
    if isinstance(node, Decision):
        player = node.player
        if isinstance(player, bool) or not isinstance(player, int) or not 0 <= player < n_players:
            raise GameError(f"{fn}: player at {_where(chain)} must be an index in 0..{n_players - 1}; got {player!r}")
        h = node.infoset
        if not isinstance(h, str) or not h:
            raise GameError(f"{fn}: infoset at {_where(chain)} must be a non-empty string; got {h!r}")
        actions = _names("actions", node.actions, chain, checked)
        children = node.children if type(node.children) is tuple else tuple(node.children)
        if len(children) != len(actions):
            raise GameError(f"{fn}: decision node at {_where(chain)} has {len(actions)} actions but "
                            f"{len(children)} children")
        seen = infosets.get(h)
        if seen is None:
            infosets[h] = (player, actions)
        elif seen[0] != player:
            raise GameError(
                f"{fn}: infoset {h!r} at {_where(chain)} belongs to player {seen[0]} elsewhere; got player {player}")
        elif seen[1] != actions:
            raise GameError(
                f"{fn}: infoset {h!r} at {_where(chain)} must have the actions {list(seen[1])} as elsewhere; "
                f"got {list(actions)}")
        kids = tuple([_normalise(c, (chain, a), n_players, infosets, checked) for a, c in zip(actions, children)])
        if (type(node) is Decision and type(player) is int and type(h) is str and type(node.label) is str
                and actions is node.actions and all(map(operator.is_, kids, children))):
            return node
        return Decision(player, h, actions, kids, str(node.label))
    raise GameError(f"{fn}: node at {_where(chain)} must be a Terminal, Chance or Decision; got {type(node).__name__}")


def _valid_as_is(root, n_players: int) -> bool:
    """True when the tree already passes every check of :func:`_normalise` and holds exactly the
    types it would rebuild (tuples, floats, strings, ints), so it can be kept as it is.

    The same checks, made level by level over lists and arrays instead of one Python call per
    node, so a tree with a million nodes is validated in about a second. False (the caller
    then runs :func:`_normalise`, which rebuilds or names the first bad node) on anything else.
    """
    get_children, get_actions, get_player = attrgetter("children"), attrgetter("actions"), attrgetter("player")
    get_infoset, get_label, get_payoffs = attrgetter("infoset"), attrgetter("label"), attrgetter("payoffs")
    level = [root]
    first: dict[str, tuple] = {}
    names_ok: dict[int, tuple] = {}
    while level:
        types = set(map(type, level))
        if not types <= {Terminal, Chance, Decision}:
            return False
        terms = [n for n in level if type(n) is Terminal] if Terminal in types else []
        decs = [n for n in level if type(n) is Decision] if Decision in types else []
        chance = [n for n in level if type(n) is Chance] if Chance in types else []
        if terms:
            pays = list(map(get_payoffs, terms))
            if set(map(type, pays)) != {tuple} or set(map(len, pays)) != {n_players}:
                return False
            if n_players and set(map(type, chain.from_iterable(pays))) != {float}:
                return False
            if not np.isfinite(np.array(pays, dtype=float)).all():
                return False
            if not set(map(type, map(get_label, terms))) | set(map(type, map(attrgetter("outcome"), terms))) <= {str}:
                return False
        for node in chance:  # few: checked one by one, as _normalise does
            probs = node.probs
            if (type(node.children) is not tuple or type(probs) is not tuple or type(node.label) is not str
                    or type(node.infoset) is not str or not _names_as_is(node.outcomes, names_ok)
                    or not all(type(p) is float for p in probs)
                    or not (len(probs) == len(node.outcomes) == len(node.children))
                    or any(not math.isfinite(p) or p < 0 for p in probs) or abs(sum(probs) - 1.0) > PROB_TOL):
                return False
        if decs:
            players, infosets = list(map(get_player, decs)), list(map(get_infoset, decs))
            actions, children = list(map(get_actions, decs)), list(map(get_children, decs))
            if set(map(type, players)) != {int} or set(map(type, infosets)) != {str} or not all(infosets):
                return False
            if min(players) < 0 or max(players) >= n_players:
                return False
            if not set(map(type, map(get_label, decs))) <= {str} or set(map(type, children)) != {tuple}:
                return False
            if not all(_names_as_is(a, names_ok) for a in {id(a): a for a in actions}.values()):
                return False
            if list(map(len, children)) != list(map(len, actions)):
                return False
            owner = dict(zip(infosets, zip(players, actions)))
            if any(first[h] != owner[h] for h in owner.keys() & first.keys()):  # across levels
                return False
            first.update(owner)
            if not all(map(operator.eq, zip(players, actions), map(owner.__getitem__, infosets))):
                return False
        level = [c for n in chain(chance, decs) for c in n.children]
    return True


def _names_as_is(names, ok: dict) -> bool:
    """True when ``names`` is a non-empty tuple of distinct ``str`` (cached by object)."""
    if ok.get(id(names)) is names:
        return True
    good = (type(names) is tuple and len(names) > 0 and all(type(n) is str for n in names)
            and len(set(names)) == len(names))
    if good:
        ok[id(names)] = names
    return good


@dataclass(frozen=True, eq=False)
class ExtensiveFormGame:
    """A finite game tree with chance moves and information sets.

    Build it with :meth:`from_root`, which validates the tree. Equality is structural (players,
    title and the whole tree, payoffs compared exactly).
    """

    players: tuple[str, ...]
    root: Node
    title: str = field(default="")

    @classmethod
    def from_root(cls, players, root: Node, title: str = "") -> "ExtensiveFormGame":
        """Validate a tree and wrap it as a game.

        Raises
        ------
        GameError
            Naming the node path and the bad value when an infoset mixes players or action
            names, chance probabilities are negative or do not sum to 1, or payoff vectors have
            the wrong length or non-finite entries.
        """
        players = tuple(players)
        if not players:
            raise GameError("ExtensiveFormGame.from_root(): a game needs at least one player; got none")
        for p in players:
            if not isinstance(p, str) or not p:
                raise GameError(f"ExtensiveFormGame.from_root(): player names must be non-empty strings; got {p!r}")
        if len(set(players)) != len(players):
            raise GameError(f"ExtensiveFormGame.from_root(): player names must be unique; got {list(players)}")
        if not _valid_as_is(root, len(players)):
            root = _normalise(root, (), len(players), {}, {})
        return cls(players, root, str(title))

    # ----- structure ---------------------------------------------------------------------------
    @property
    def n_players(self) -> int:
        return len(self.players)

    @cached_property
    def n_nodes(self) -> int:
        """Number of nodes of the tree (decision, chance and terminal)."""
        return sum(1 for _ in iter_nodes(self.root))

    def nodes(self) -> Iterator[tuple[tuple[str, ...], Node]]:
        """Preorder ``(path, node)`` pairs."""
        return iter_nodes(self.root)

    @cached_property
    def infosets(self) -> Mapping[str, tuple[int, tuple[str, ...]]]:
        """Information sets in order of first appearance (preorder): ``id -> (player, actions)``."""
        out: dict[str, tuple[int, tuple[str, ...]]] = {}
        for _, node in iter_nodes(self.root):
            if isinstance(node, Decision) and node.infoset not in out:
                out[node.infoset] = (node.player, node.actions)
        return MappingProxyType(out)

    def player_infosets(self, player: int) -> tuple[str, ...]:
        """Ids of ``player``'s information sets, in order of first appearance."""
        return tuple(h for h, (p, _) in self.infosets.items() if p == player)

    @cached_property
    def infoset_sizes(self) -> Mapping[str, int]:
        """Number of decision nodes in each information set."""
        sizes: dict[str, int] = {h: 0 for h in self.infosets}
        for _, node in iter_nodes(self.root):
            if isinstance(node, Decision):
                sizes[node.infoset] += 1
        return MappingProxyType(sizes)

    @property
    def perfect_information(self) -> bool:
        """True when every information set holds exactly one node (chance moves are allowed)."""
        return all(n == 1 for n in self.infoset_sizes.values())

    def perfect_recall(self) -> bool:
        """True when every player remembers its own earlier information sets and actions.

        Checks that all nodes of an information set share the owner's own history (the sequence
        of the owner's ``(infoset, action)`` pairs from the root), which is Kuhn's (1953)
        definition; absent-mindedness fails it too.
        """
        return self._recall_violation() is None

    def _recall_violation(self) -> str | None:
        histories: dict[str, tuple] = {}
        stack: list[tuple[Node, tuple[tuple, ...]]] = [(self.root, tuple(() for _ in self.players))]
        while stack:
            node, own = stack.pop()
            if isinstance(node, Terminal):
                continue
            if isinstance(node, Chance):
                stack.extend((c, own) for c in node.children)
                continue
            i = node.player
            seen = histories.setdefault(node.infoset, own[i])
            if seen != own[i]:
                return node.infoset
            for a, c in zip(node.actions, node.children):
                nxt = list(own)
                nxt[i] = (*own[i], (node.infoset, a))
                stack.append((c, tuple(nxt)))
        return None

    def require_perfect_recall(self, who: str) -> None:
        """Raise :class:`GameError` naming ``who`` when the game has imperfect recall."""
        bad = self._recall_violation()
        if bad is not None:
            raise GameError(
                f"{who}: needs a game with perfect recall; information set {bad!r} of "
                f"{self.players[self.infosets[bad][0]]!r} is reached after different own histories")

    @property
    def actions(self) -> tuple[tuple[str, ...], ...]:
        """Each player's reduced strategy names (the actions of :meth:`reduced_normal_form`), so
        code written for normal-form games can list an extensive game's strategies."""
        return self.reduced_normal_form().actions

    def reduced_normal_form(self):
        """The reduced normal form (:class:`~sim.game.NormalFormGame`).

        Strategies that differ only at information sets their own earlier actions exclude are
        merged (Gambit's convention). Names join the actions of the player's information sets in
        order of first appearance with ``/``, ``*`` marking an information set the strategy
        never reaches. :func:`sim.extensive.reduced.reduced_strategies` gives the plan of each.
        """
        return _reduced_normal_form(self)

    def normal_form(self):
        """The reduced normal form: what every method that is not a tree method solves."""
        return self.reduced_normal_form()

    def __eq__(self, other) -> bool:
        return (isinstance(other, ExtensiveFormGame) and self.players == other.players
                and self.title == other.title and self.root == other.root)

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        # Hashing walks the whole tree; the game is immutable, so once is enough. Not pickled
        # (__getstate__): string hashes differ between processes.
        return hash((self.players, self.title, self.root))

    @cached_property
    def _derived(self) -> dict:
        """Tables that other modules derive from the tree (the reduced strategies), kept with the
        object so that reading them again costs neither hashing nor comparing the tree."""
        return {}

    def __getstate__(self) -> dict:
        # The fields only: cached values (the hash, derived tables) are rebuilt where unpickled.
        return {"players": self.players, "root": self.root, "title": self.title}

    def __repr__(self) -> str:
        return (f"ExtensiveFormGame({self.title!r}, players={list(self.players)}, nodes={self.n_nodes}, "
                f"infosets={len(self.infosets)})")

    def _repr_html_(self) -> str:
        """The tree's decision points as an HTML table in a notebook (:func:`sim.display.tree_html`)."""
        from sim.display import tree_html

        return tree_html(self)
