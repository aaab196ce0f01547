"""Project error types. Each subclasses ``ValueError`` and names the rule and the bad value."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def one_line(text: str | None) -> str | None:
    """``text`` with control characters (newlines, tabs, ...) escaped as Python writes them, so a
    message built from it stays on one line.

    Examples
    --------
    >>> one_line("players.A\\n")
    'players.A\\\\n'
    """
    if text is None:
        return None
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class GameError(ValueError):
    """A game (arrays, names or a game file) breaks a rule; the message names the rule and value."""


class ScenarioError(ValueError):
    """A scenario or sweep file breaks a rule.

    The message has the form ``PATH: field.path: what is wrong (got VALUE)``. Validation gathers
    every error of a file: ``errors`` holds them all (just ``(self,)`` for a single error), and the
    message of several is the first one's followed by ``(and N more...)``. ``line`` is the line of
    the table that holds the field, when it is known, and ``named_field`` the field with the goal it
    belongs to (``goals[3] (Russia.avoid_isolation).weight``); :meth:`located` uses both.

    Examples
    --------
    >>> e = ScenarioError("must be a number (got 'x')", path="s.toml", field="goals[0].weight", line=9,
    ...                   named_field="goals[0] (A.g).weight")
    >>> str(e)
    "s.toml: goals[0].weight: must be a number (got 'x')"
    >>> e.located()
    "s.toml:9: goals[0] (A.g).weight: must be a number (got 'x')"
    >>> both = ScenarioError.gather([e, ScenarioError("is missing", path="s.toml", field="players")])
    >>> str(both)
    "s.toml: goals[0].weight: must be a number (got 'x') (and 1 more)"
    >>> [x.field for x in both.errors]
    ['goals[0].weight', 'players']
    """

    def __init__(self, message: str, *, path: str | None = None, field: str | None = None,
                 line: int | None = None, named_field: str | None = None):
        # A field path is built from the file's keys, which may hold a newline: escape it.
        field, named_field = one_line(field), one_line(named_field)
        self.path = path
        self.field = field
        self.detail = message
        self.line = line
        self.named_field = named_field
        #: Every error found in the file, this one first (validation gathers them; see :meth:`gather`).
        self.errors: tuple[ScenarioError, ...] = (self,)
        #: Whether validation stopped before the end of the file because it had found too many errors.
        self.truncated = False
        parts = [p for p in (path, field) if p]
        super().__init__(": ".join([*parts, message]))

    def located(self) -> str:
        """``PATH:LINE: field (goal).path: what is wrong (got VALUE)``, leaving out what is not known."""
        head = f"{self.path}:{self.line}" if self.path and self.line else (self.path or "")
        parts = [p for p in (head, self.named_field or self.field) if p]
        return ": ".join([*parts, self.detail])

    @classmethod
    def gather(cls, errors, truncated: bool = False) -> ScenarioError:
        """One error standing for ``errors`` (non-empty): the first itself if it is alone, else the
        first's message followed by ``(and N more)`` (the command line adds where to see them all)."""
        errors = tuple(errors)
        first = errors[0]
        if len(errors) == 1 and not truncated:
            return first
        more = f"{len(errors) - 1}{'+' if truncated else ''} more"
        out = cls(f"{first.detail} (and {more})", path=first.path, field=first.field, line=first.line,
                  named_field=first.named_field)
        out.errors = errors
        out.truncated = truncated
        return out


class SolverError(ValueError):
    """A solver was called on a game or with parameters it does not accept."""
