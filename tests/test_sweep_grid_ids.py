"""A grid sweep's point ids map to parameter values in one documented order, chunk by chunk.

Point ``k`` of a grid is ``k`` unravelled over the axes, last axis fastest
(:func:`analysis.sweep.design.points`): every combination of axis values exactly once, in
lexicographic order of the axes' value positions, whatever slice of ids is asked for. Tested on
the mapping itself (not through a sweep's output, which sorts and joins rows and so would hide a
permuted order).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.sweep.design import points
from analysis.sweep.spec import GridAxis, SweepSpec


@st.composite
def grids(draw):
    n_axes = draw(st.integers(1, 4))
    axes = []
    for a in range(n_axes):
        values = draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=4, unique=True))
        axes.append(GridAxis(f"p{a}", tuple(values)))
    return SweepSpec(Path("s.toml"), Path("x.toml"), ("enumpure",), 0, 10, tuple(axes), None, None, (), {})


@settings(max_examples=40, deadline=None)
@given(grids(), st.data())
def test_grid_point_ids_enumerate_every_combination_last_axis_fastest(spec, data):
    n = spec.n_points
    expected = np.array([[a.values[i] for a, i in zip(spec.grid, idx)]
                         for idx in itertools.product(*(range(len(a.values)) for a in spec.grid))])
    assert expected.shape == (n, len(spec.grid))
    np.testing.assert_array_equal(points(spec, 0, n), expected)
    start = data.draw(st.integers(0, n - 1))
    stop = data.draw(st.integers(start + 1, n))
    np.testing.assert_array_equal(points(spec, start, stop), expected[start:stop])
