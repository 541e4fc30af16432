"""Benchmarks: each module runs as ``python -m bench.<name> [--quick]`` and prints its figures."""
