"""Project error types. Each subclasses ``ValueError`` and names the rule and the bad value."""


class GameError(ValueError):
    """A game (arrays, names or a game file) breaks a rule; the message names the rule and value."""


class ScenarioError(ValueError):
    """A scenario or sweep file breaks a rule.

    The message has the form ``PATH: field.path: what is wrong (got VALUE)``.
    """

    def __init__(self, message: str, *, path: str | None = None, field: str | None = None):
        self.path = path
        self.field = field
        self.detail = message
        parts = [p for p in (path, field) if p]
        super().__init__(": ".join([*parts, message]))


class SolverError(ValueError):
    """A solver was called on a game or with parameters it does not accept."""
