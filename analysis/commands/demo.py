"""``bargain demo``: the main job end to end (today: solve the shipped reference games)."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("demo", help="run the main job end to end and print where the output is")
    p.set_defaults(run=run)


def run(args) -> int:
    from analysis.render import format_result
    from sim.game import NormalFormGame
    from sim.solvers import solve

    game = NormalFormGame.from_bimatrix(
        [[3, 0], [5, 1]], [[3, 5], [0, 1]], players=("Row", "Column"),
        actions=(("cooperate", "defect"), ("cooperate", "defect")), title="Prisoner's dilemma",
    )
    print(game.title)
    print(format_result(solve(game, "enumpure")))
    return 0
