"""The node types of a finite extensive-form game, and walks over them.

Three frozen node types make a tree: :class:`Decision` (a player moves at an information set),
:class:`Chance` (nature draws an outcome with known probabilities) and :class:`Terminal`
(payoffs). They live apart from :class:`sim.extensive.tree.ExtensiveFormGame` so that the
algorithms on trees (the reduced normal form, backward induction) depend on the nodes, not on
the game class, and the game class can call them without an import cycle.

Examples
--------
>>> root = Decision(0, "E", ("out", "in"), (Terminal((0.0, 2.0)), Terminal((1.0, 1.0))))
>>> [path_text(p) for p, _ in iter_nodes(root)]
['root', 'root/out', 'root/in']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Union


@dataclass(frozen=True)
class Terminal:
    """End of play. ``outcome`` optionally names the outcome (Gambit's outcome label)."""

    payoffs: tuple[float, ...]
    label: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class Chance:
    """Nature draws ``outcomes[k]`` with probability ``probs[k]`` and play continues at ``children[k]``.

    ``infoset`` optionally names the chance information set (kept for Gambit files).
    """

    outcomes: tuple[str, ...]
    probs: tuple[float, ...]
    children: tuple["Node", ...]
    label: str = ""
    infoset: str = ""


@dataclass(frozen=True)
class Decision:
    """Player ``player`` (an index) chooses ``actions[k]``, leading to ``children[k]``."""

    player: int
    infoset: str
    actions: tuple[str, ...]
    children: tuple["Node", ...]
    label: str = ""


Node = Union[Terminal, Chance, Decision]


def path_text(path: tuple[str, ...]) -> str:
    """Human-readable node path (``root/a/b``)."""
    return "/".join(("root", *path))


def iter_nodes(root: Node, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Node]]:
    """Preorder walk yielding ``(path, node)``; children follow their action order."""
    stack = [(path, root)]
    while stack:
        p, node = stack.pop()
        yield p, node
        if not isinstance(node, Terminal):
            names = node.actions if isinstance(node, Decision) else node.outcomes
            for name, child in reversed(list(zip(names, node.children))):
                stack.append(((*p, name), child))
