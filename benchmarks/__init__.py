"""YABOT's benchmarks: throughput and latency figures, printed as medians of repeated runs (`make bench`)."""
