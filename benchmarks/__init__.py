"""Benchmarks of bargain-sim against its peers; run them with ``python -m benchmarks.run``."""
