"""Scenario sweeps: a sweep file expands to parameter points, solved chunk by chunk.

The public API: :func:`load_sweep` reads and validates a sweep file, :func:`run_sweep` runs it
into an output folder (resumable), :func:`read_results` returns the tidy result table.
"""

from analysis.sweep.spec import SweepSpec, load_sweep
from analysis.sweep.run import SweepSummary, read_results, run_sweep

__all__ = ["SweepSpec", "SweepSummary", "load_sweep", "read_results", "run_sweep"]
