"""Test-suite configuration.

Hypothesis explores new examples on every developer run (and keeps failures in its local
database), but CI (``CI=true``) runs a derandomised profile, so a landing is judged on the same
examples every time and a red CI run can be reproduced exactly.
"""

import os

from hypothesis import settings

# No per-example deadline in CI: wall time on a shared two-core machine (and under pytest-xdist)
# says nothing about correctness; speed is measured by the benchmarks, against peers.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")
