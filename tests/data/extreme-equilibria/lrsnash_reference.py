"""Write the reference files of this folder: extreme equilibria of corpus reduced forms by lrsnash.

Usage (lrslib's ``lrsnash`` on the PATH; Debian and Ubuntu package ``lrslib``)::

    python tests/data/extreme-equilibria/lrsnash_reference.py bcp2 bcp3 ...

For each game, the reduced normal form of ``tests/data/gambit/<name>.efg`` is written as the
integer game our exact route solves (``integer_payoffs`` of each player's payoffs, a positive
affine image with the same equilibria), solved by ``lrsnash`` (exact rationals, GMP), and every
completely labelled pair it prints is written as one line ``x_1 ... x_m | y_1 ... y_n``. The
script also solves the game with ``enummixed_solve`` and stops if the two sets differ.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(ROOT))


def lrsnash(A, B, timeout=None):
    """Extreme equilibria ``[(x, y)]`` of the integer game ``(A, B)`` from lrsnash's output."""
    m, n = A.shape
    text = f"{m} {n}\n\n" + "\n".join(" ".join(str(int(v)) for v in row) for row in A)
    text += "\n\n" + "\n".join(" ".join(str(int(v)) for v in row) for row in B) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "game"
        path.write_text(text)
        out = subprocess.run(["lrsnash", str(path)], capture_output=True, text=True, check=True,
                             timeout=timeout).stdout
    pairs, xs, ys, count = [], [], [], None
    for line in out.splitlines() + [""]:
        parts = line.split()
        if not parts:
            pairs += [(x, y) for x in xs for y in ys]
            xs, ys = [], []
        elif parts[0] == "1":
            xs.append(tuple(Fraction(v) for v in parts[1:1 + m]))
        elif parts[0] == "2":
            ys.append(tuple(Fraction(v) for v in parts[1:1 + n]))
        elif line.startswith("*Number of equilibria found:"):
            count = int(line.split(":")[1])
    assert count == len(pairs), (count, len(pairs))
    return pairs


def main(names):
    from sim.formats.efg import read_efg
    from sim.solvers.lexvertices import integer_payoffs
    from sim.solvers.mixed import enummixed_solve

    for name in names:
        game = read_efg(ROOT / "tests" / "data" / "gambit" / f"{name}.efg").reduced_normal_form()
        A, B = (integer_payoffs(game.payoffs[..., i]) for i in (0, 1))
        pairs = sorted(set(lrsnash(A, B)))
        ours = enummixed_solve(game, vertices="lex", max_bases=10**9)
        key = lambda vals: tuple(np.round(np.asarray(vals, float), 9) + 0.0)  # noqa: E731
        assert {key(x + y) for x, y in pairs} == {key(np.concatenate(e.profile)) for e in ours.equilibria}, name
        assert len(pairs) == len(ours.equilibria), name
        m, n = A.shape
        lines = [f"# {name}.efg reduced form ({m}x{n}): {len(pairs)} extreme equilibria, lrsnash (lrslib 7.1)",
                 "# x_1 .. x_m | y_1 .. y_n (exact rationals)"]
        lines += [" ".join(map(str, x)) + " | " + " ".join(map(str, y)) for x, y in pairs]
        (HERE / f"{name}.txt").write_text("\n".join(lines) + "\n")
        print(name, f"{m}x{n}", len(pairs), "extreme equilibria, same set as enummixed_solve")


if __name__ == "__main__":
    main(sys.argv[1:])
