"""The benchmark harness behind Benchmarks/run: one job per module."""
