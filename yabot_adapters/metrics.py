"""YABOT's Prometheus series: one place names them all, so ``/metrics`` and docs/operations.md agree.

The series live in prometheus-client's process-wide registry, where Litestar's own Prometheus middleware
keeps the HTTP ones; ``GET /metrics`` exposes them all. Every label is bounded: route templates, handler
and router names, event types, operation names, breaker names; never a user id, chat id or URL.

The buckets bracket the seed's SLAs (events 500 ms, queries 100 ms, Redis 10 ms): each one is a bucket
boundary, so "the share of operations over the SLA" is an exact query (see docs/operations.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter
from typing import Final

from prometheus_client import Counter, Gauge, Histogram

from yabot_core.kernel import BreakerState, BreakerStatus

PREFIX: Final = "yabot"

EVENT_SLA: Final = 0.5
"""Seconds from an event's commit to a handler done with it (the seed's events p95)."""
QUERY_SLA: Final = 0.1
"""Seconds for one storage operation (the seed's database p90)."""
REDIS_SLA: Final = 0.01
"""Seconds for one Redis call (the seed's Redis p99)."""
TELEGRAM_REPLY_SLA: Final = 2.0
"""Seconds for the bot to answer an update (the seed's Telegram reply)."""

FAST_BUCKETS: Final = (
    0.001,
    0.0025,
    0.005,
    REDIS_SLA,
    0.025,
    0.05,
    QUERY_SLA,
    0.25,
    EVENT_SLA,
    1.0,
    2.5,
    5.0,
)
"""Storage and HTTP: sub-millisecond to seconds, with the Redis, query and event SLAs as boundaries."""
SLOW_BUCKETS: Final = (
    0.01,
    0.05,
    QUERY_SLA,
    0.25,
    EVENT_SLA,
    1.0,
    TELEGRAM_REPLY_SLA,
    5.0,
    15.0,
    60.0,
    300.0,
)
"""Event delivery, updates and timer lag: what waits on queues and on Telegram."""

EVENTS_PUBLISHED: Final = Counter(
    f"{PREFIX}_events_published", "Events committed to the outbox, by type.", ["event_type"]
)
EVENTS_HANDLED: Final = Counter(
    f"{PREFIX}_events_handled", "Events a handler finished successfully.", ["handler"]
)
EVENTS_FAILED: Final = Counter(
    f"{PREFIX}_events_failed", "Events a handler failed on every attempt (now dead letters).", ["handler"]
)
EVENTS_DEFERRED: Final = Counter(
    f"{PREFIX}_events_deferred", "Deliveries left in the outbox because a breaker was open.", ["handler"]
)
EVENT_LATENCY: Final = Histogram(
    f"{PREFIX}_event_latency_seconds",
    "From an event's commit to a handler done with it (retries included).",
    ["handler"],
    buckets=SLOW_BUCKETS,
)
OUTBOX_DEPTH: Final = Gauge(
    f"{PREFIX}_outbox_depth", "Events owed to a handler, not yet delivered.", ["handler"]
)
DEAD_LETTERS: Final = Gauge(f"{PREFIX}_dead_letters", "Dead letters not replayed.")
TIMERS_DUE: Final = Gauge(f"{PREFIX}_timers_due", "Timers due now and not yet fired.")
TIMERS_FIRED: Final = Counter(f"{PREFIX}_timers_fired", "Timers fired by this process.", ["kind"])
TIMER_LAG: Final = Histogram(
    f"{PREFIX}_timer_fire_lag_seconds",
    "From a timer's due time to its firing.",
    ["kind"],
    buckets=SLOW_BUCKETS,
)
STORAGE_LATENCY: Final = Histogram(
    f"{PREFIX}_storage_operation_seconds",
    "One storage operation (a unit of work, a query), failures included.",
    ["operation"],
    buckets=FAST_BUCKETS,
)
STORAGE_FAILURES: Final = Counter(
    f"{PREFIX}_storage_failures", "Storage operations that found the storage unavailable.", ["operation"]
)
TELEGRAM_UPDATE: Final = Histogram(
    f"{PREFIX}_telegram_update_seconds",
    "Handling one Telegram update, by the router whose handler took it (``none``: no handler).",
    ["router", "update_type"],
    buckets=SLOW_BUCKETS,
)
TELEGRAM_REQUESTS: Final = Counter(
    f"{PREFIX}_telegram_requests", "Bot API calls by method and outcome.", ["method", "outcome"]
)
BREAKER_OPEN: Final = Gauge(
    f"{PREFIX}_breaker_open", "1 while a circuit breaker is open (or half-open), 0 when closed.", ["breaker"]
)
BREAKER_OPENINGS: Final = Counter(
    f"{PREFIX}_breaker_openings", "Times a circuit breaker opened.", ["breaker"]
)
BROADCAST_PROGRESS: Final = Gauge(
    f"{PREFIX}_broadcast_messages",
    "Messages of the broadcast in progress, by state (the broadcaster sets it).",
    ["state"],
)
ALERTS_OPEN: Final = Gauge(f"{PREFIX}_alerts_open", "Problems the admins were alerted of, still open.")

BROADCAST_STATES: Final = ("pending", "sent", "failed")


def broadcast_progress(*, pending: int, sent: int, failed: int) -> None:
    """Set the broadcast gauge (for the broadcaster, after each batch)."""
    BROADCAST_PROGRESS.labels("pending").set(pending)
    BROADCAST_PROGRESS.labels("sent").set(sent)
    BROADCAST_PROGRESS.labels("failed").set(failed)


def breaker_changed(before: BreakerStatus, after: BreakerStatus) -> None:
    """Move the breaker series when a breaker's state or openings changed."""
    BREAKER_OPEN.labels(after.name).set(0 if after.state is BreakerState.CLOSED else 1)
    if after.times_opened > before.times_opened:
        BREAKER_OPENINGS.labels(after.name).inc(after.times_opened - before.times_opened)


@contextmanager
def timed(histogram: Histogram, *labels: str) -> Iterator[None]:
    """Observe the wall time of the block in ``histogram`` (errors included)."""
    started = perf_counter()
    try:
        yield
    finally:
        histogram.labels(*labels).observe(perf_counter() - started)


def count_over(histogram: Histogram, threshold: float) -> tuple[float, float]:
    """``(observations, observations above threshold)`` of ``histogram`` so far, every label summed.

    ``threshold`` must be one of its bucket boundaries (the SLAs are): the count is then exact.
    """
    total = within = 0.0
    for metric in histogram.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count"):
                total += sample.value
            elif sample.name.endswith("_bucket") and float(sample.labels["le"]) == threshold:
                within += sample.value
    return total, total - within
