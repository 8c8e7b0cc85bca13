"""Summaries of repeated runs: median with min–max, percentiles of latencies, and stderr progress lines."""

import gc
import math
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

_STARTED = time.perf_counter()


def elapsed() -> float:
    """Seconds since the benchmarks started (since this module was imported, before aiogram and the rest)."""
    return time.perf_counter() - _STARTED


def progress(message: str) -> None:
    """Print a progress line to stderr, stamped with the seconds since the benchmarks started."""
    print(f"[{elapsed():6.1f}s] {message}", file=sys.stderr, flush=True)


def clean_heap() -> None:
    """Collect garbage before a run (untimed), so no run pays for the cycles an earlier one left behind.

    The collector stays enabled during runs: a run still pays for its own garbage.
    """
    gc.collect()


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank: an observed value, never interpolated)."""
    if not values:
        msg = "a percentile of no values"
        raise ValueError(msg)
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(slots=True)
class Figure:
    """One quantity measured once per run: its per-run values, summarized as median [min–max]."""

    unit: str
    digits: int = 0
    runs: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        """Record one run's value."""
        self.runs.append(value)

    @property
    def median(self) -> float:
        """The median of the per-run values."""
        return statistics.median(self.runs)

    def text(self, *, unit: bool = True) -> str:
        """``median [min–max] unit``, or ``n/a`` if no run produced a value."""
        if not self.runs:
            return "n/a"
        suffix = f" {self.unit}" if unit and self.unit else ""
        if len(self.runs) == 1:
            return f"{self._fmt(self.runs[0])}{suffix} (1 run)"
        low, high = min(self.runs), max(self.runs)
        return f"{self._fmt(self.median)} [{self._fmt(low)}–{self._fmt(high)}]{suffix}"

    def _fmt(self, value: float) -> str:
        return f"{value:,.{self.digits}f}"


@dataclass(slots=True)
class Latency:
    """Per-run p50 and p99 of one latency scenario, in milliseconds."""

    p50: Figure = field(default_factory=lambda: Figure("ms", 2))
    p99: Figure = field(default_factory=lambda: Figure("ms", 2))

    def add(self, values: Sequence[float]) -> None:
        """Record one run's latencies."""
        self.p50.add(percentile(values, 0.50))
        self.p99.add(percentile(values, 0.99))

    def text(self) -> str:
        """``p50 … p99 …``, each as median [min–max]."""
        return f"p50 {self.p50.text()}   p99 {self.p99.text()}"


@dataclass(frozen=True, slots=True)
class OpsRun:
    """What one timed run of operations did (wallet, credits, inventory)."""

    operations: int
    seconds: float

    @property
    def ops_per_second(self) -> float:
        """Operations over wall time."""
        return self.operations / self.seconds
