"""Claims: statements about a scenario's equilibria, written as data in ``[[claims]]``.

A claim is a sentence of the source (``claim``, with the ``quote`` it rests on) and a list of
*conditions* on the equilibrium outcome: which actions are played on the path (``path``), what
would be played had some moves gone otherwise (``after``), whether a player gains from playing
as it does rather than otherwise (``gain``), on the game re-solved with some parameters changed
(``set``), negated (``not``). Nothing is evaluated here: this module parses and validates the
table (the checks live with the rest of the schema, in :mod:`sim.scenario.schema`, whose
``_claims`` builds these frozen :class:`Claim` and :class:`Condition` values on the ``Scenario``);
:mod:`sim.claims` measures them. The language is documented in ``docs/scenarios.md``.

Errors read like the rest of the schema: ``PATH: claims[2].conditions[1].path.us_plan: unknown
action of us_plan; ... (got 'dorp')``.

Examples
--------
>>> from sim.scenario import loads_scenario
>>> s = loads_scenario('''
... [scenario]
... id = "entry"
... title = "Entry"
... timing = [{ player = "E" }, { player = "I", observes = ["E"] }]
... [players.E]
... actions = ["in", "out"]
... [players.I]
... actions = ["fight", "share"]
... [[goals]]
... player = "E"
... name = "profit"
... weight = 1
... rules = [{ when = { E = "in", I = "share" }, value = 1 }, { when = { E = "in", I = "fight" }, value = -1 }]
... [[claims]]
... id = "entry_happens"
... claim = "The entrant enters and the incumbent shares."
... quote = "enters"
... conditions = [{ path = { E = "in", I = "share" } }, { after = { E = "in" }, path = { I = "share" } }]
... ''')
>>> c = s.claims[0]
>>> c.id, c.conditions[0].path, c.conditions[1].after
('entry_happens', (('E', ('in',)), ('I', ('share',))), (('E', 'in'),))
"""

from __future__ import annotations

import re
from dataclasses import dataclass


#: At most this many conditions in one claim, and claims in one file.
MAX_CONDITIONS = 16
MAX_CLAIMS = 200
#: Methods a claim may name: those that return behaviour strategies (trees) or profiles (games).
TREE_METHODS = ("spe", "pbe", "pbe_mixed", "pbe_agent")
GAME_METHODS = ("enumpure", "enummixed", "lcp", "enumpoly")
CLAIM_METHODS = TREE_METHODS + GAME_METHODS

_CLAIM_ID = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Gain:
    """``player`` gains from playing as the equilibrium says rather than with ``over`` forced."""

    player: str
    over: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Condition:
    """One condition of a claim; exactly one of ``path`` and ``gain`` is set.

    ``path`` maps a move to the actions it must play (with probability >= ``at_least`` wherever it
    is reached, and reached with positive probability); ``after`` forces moves (decision or chance)
    to one action or outcome; ``set`` re-solves with parameters changed (the condition must hold in
    every equilibrium of that game); ``negate`` is the file's ``not``. Move names are resolved:
    a player named for its only move is stored under the move's name.
    """

    path: tuple[tuple[str, tuple[str, ...]], ...] = ()
    gain: Gain | None = None
    after: tuple[tuple[str, str], ...] = ()
    set: tuple[tuple[str, float], ...] = ()
    negate: bool = False
    at_least: float = 1.0

    def describe(self) -> str:
        """The condition in short words, e.g. ``after E=in: path I=share``."""
        parts = []
        if self.set:
            parts.append("with " + ", ".join(f"{k}={v:g}" for k, v in self.set))
        if self.after:
            parts.append("after " + ", ".join(f"{k}={v}" for k, v in self.after))
        if self.gain is not None:
            body = f"{self.gain.player} gains over " + ", ".join(f"{k}={v}" for k, v in self.gain.over)
        else:
            body = "path " + ", ".join(f"{k}={'|'.join(a)}" for k, a in self.path)
            if self.at_least < 1:
                body += f" (p >= {self.at_least:g})"
        parts.append(("not " if self.negate else "") + body)
        return ": ".join(parts)


@dataclass(frozen=True)
class Claim:
    """A claim of the source about a scenario's equilibria (see the module docstring)."""

    id: str
    claim: str
    quote: str
    conditions: tuple[Condition, ...]
    method: str = ""
    sweep: str = ""
    description: str = ""


#: At most this many observations in one file.
MAX_OBSERVATIONS = 100


@dataclass(frozen=True)
class Observation:
    """What the source reports happened (``[[observations]]``): the action each named move played.

    ``observation`` is the sentence in the model's words, ``quote`` the source's; ``path`` gives
    each move's observed action (a player named for its only move is stored under the move's
    name). ``bargain calibrate`` keeps the sweep points whose equilibria play all of them
    (:mod:`analysis.calibration`); nothing is evaluated here.

    Examples
    --------
    >>> Observation("halt", "Russia halted.", "stop deployment", (("russia_kaliningrad", "halt"),)).indicator
    'path: russia_kaliningrad=halt'
    """

    id: str
    observation: str
    quote: str
    path: tuple[tuple[str, str], ...]
    description: str = ""

    @property
    def indicator(self) -> str:
        """The observation as an indicator of :mod:`analysis.indicators` (``path: MOVE=ACTION, ...``)."""
        return "path: " + ", ".join(f"{m}={a}" for m, a in self.path)


__all__ = ["CLAIM_METHODS", "Claim", "Condition", "Gain", "MAX_CLAIMS", "MAX_CONDITIONS", "MAX_OBSERVATIONS",
           "Observation"]
