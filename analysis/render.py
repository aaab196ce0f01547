"""Plain-text tables of results for people: actions by name, never indices."""

from __future__ import annotations

from sim.result import SolverResult


def _fmt_strategy(actions, probs) -> str:
    played = [(a, p) for a, p in zip(actions, probs) if p > 1e-9]
    if len(played) == 1:
        return played[0][0]
    return " ".join(f"{a}:{p:.4g}" for a, p in played)


def format_game(game) -> str:
    """One header line naming the game, its players and their action counts.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> print(format_game(NormalFormGame.from_bimatrix([[1, 0]], [[0, 1]], title="T")))
    T: 2 players, 1x2 (1: 1 actions; 2: 2 actions)
    """
    title = getattr(game, "title", "") or "game"
    shape = getattr(game, "shape", None)
    if shape is None:  # not a normal-form game: name it only
        return f"{title}: {len(game.players)} players"
    counts = "; ".join(f"{p}: {n} actions" for p, n in zip(game.players, shape))
    return f"{title}: {len(game.players)} players, {'x'.join(map(str, shape))} ({counts})"


def format_result(result: SolverResult) -> str:
    """A result as a small table: one line per equilibrium, actions and payoffs by name."""
    game = result.game
    flags = [f"complete={result.complete}"]
    if result.degenerate:
        flags.append("degenerate")
    if result.converged is not None:
        flags.append(f"converged={result.converged}")
    lines = [f"{result.method}: {len(result.equilibria)} equilibria ({', '.join(flags)})"]
    for k, eq in enumerate(result.equilibria, 1):
        strategies = "; ".join(
            f"{p}={_fmt_strategy(game.actions[i], eq.profile[i])}" for i, p in enumerate(game.players)
        )
        payoffs = ", ".join(f"{p} {v:.4g}" for p, v in zip(game.players, eq.payoffs))
        lines.append(f"  {k:>3}. {strategies}  | payoffs: {payoffs}  | max regret {eq.max_regret:.2e}")
    return "\n".join(lines)
