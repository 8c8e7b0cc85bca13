"""Runs every scenario once per round (rounds interleave, so noise hits all alike); keeps per-run figures."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from benchmarks import backends, bus, sqlite_raw, telegram, wallet
from benchmarks.stats import Figure, clean_heap, percentile, progress

T = TypeVar("T")

SYNC_MODES: tuple[sqlite_raw.Synchronous, ...] = ("FULL", "NORMAL")
STORAGES = (("memory", backends.memory), ("sqlite FULL", backends.sqlite("FULL")))
"""The backends the bus and /saldo run over."""


@dataclass(frozen=True, slots=True)
class Plan:
    """How much each scenario does per run, and how many runs."""

    repeats: int
    users: int = 1000
    sequence: tuple[int, ...] = wallet.FULL_SEQUENCE
    mongo_users: int = 1000
    mongo_sequence: tuple[int, ...] = wallet.SHORT_SEQUENCE
    raw_seconds: float = 1.5
    sequential_seconds: float = 1.5
    bus_sequential: int = 1000
    bus_bursts: int = 20
    bus_burst_size: int = 50
    saldo_updates: int = 200

    @classmethod
    def full(cls, repeats: int = 5) -> "Plan":
        """The default run: a few minutes on a 2-core machine."""
        return cls(repeats=repeats)

    @classmethod
    def quick(cls, repeats: int = 2) -> "Plan":
        """A smoke run: the same scenarios, smaller (well under a minute)."""
        return cls(
            repeats=repeats,
            mongo_users=200,
            raw_seconds=0.5,
            sequential_seconds=0.5,
            bus_sequential=200,
            bus_bursts=4,
            saldo_updates=50,
        )

    def warm_up(self) -> "Plan":
        """The discarded warm-up round: every scenario once, small."""
        return replace(
            self,
            repeats=1,
            users=100,
            mongo_users=50,
            raw_seconds=0.2,
            sequential_seconds=0.2,
            bus_sequential=50,
            bus_bursts=2,
            bus_burst_size=20,
            saldo_updates=20,
        )


@dataclass(slots=True)
class Latency:
    """Per-run p50 and p99 of one latency scenario, in milliseconds."""

    p50: Figure = field(default_factory=lambda: Figure("ms", 2))
    p99: Figure = field(default_factory=lambda: Figure("ms", 2))

    def add(self, values: list[float]) -> None:
        """Record one run's latencies."""
        self.p50.add(percentile(values, 0.50))
        self.p99.add(percentile(values, 0.99))


def _throughput() -> Figure:
    return Figure("ops/s")


def _ratio() -> Figure:
    return Figure("", 2)


@dataclass(slots=True)
class Results:
    """Every figure, each holding one value per timed run."""

    plan: Plan
    raw: dict[str, Figure] = field(default_factory=dict)
    concurrent: dict[str, Figure] = field(default_factory=dict)
    concurrent_ratio: dict[str, Figure] = field(default_factory=dict)
    sequential: dict[str, Figure] = field(default_factory=dict)
    sequential_ratio: dict[str, Figure] = field(default_factory=dict)
    bus: dict[str, Latency] = field(default_factory=dict)
    polled: dict[str, Latency] = field(default_factory=dict)
    fed: dict[str, Latency] = field(default_factory=dict)


async def run(plan: Plan, mongo_url: str) -> Results:
    """One discarded warm-up round, then ``plan.repeats`` timed rounds of every scenario."""
    progress("warm-up round (discarded)")
    await _round(plan.warm_up(), mongo_url, Results(plan), "warm-up")
    results = Results(plan)
    for number in range(1, plan.repeats + 1):
        await _round(plan, mongo_url, results, f"round {number}/{plan.repeats}")
    return results


async def _round(plan: Plan, mongo_url: str, results: Results, label: str) -> None:
    """Every scenario once; raw and ours back to back per synchronous mode, so their ratio is paired."""
    for mode in SYNC_MODES:
        clean_heap()
        raw = sqlite_raw.single_row_transactions(mode, seconds=plan.raw_seconds)
        _note(results.raw, mode, _throughput).add(raw)
        progress(f"{label} · raw sqlite3 {mode}: {raw:,.0f} tx/s")

        ours = await _timed(
            f"{label} · wallet sqlite {mode}, {plan.users} users",
            wallet.concurrent_users(backends.sqlite(mode), users=plan.users, sequence=plan.sequence),
        )
        _note(results.concurrent, f"sqlite {mode}", _throughput).add(ours.ops_per_second)
        _note(results.concurrent_ratio, mode, _ratio).add(ours.ops_per_second / raw)

        alone = await _timed(
            f"{label} · wallet sqlite {mode}, 1 user sequential",
            wallet.sequential_user(backends.sqlite(mode), seconds=plan.sequential_seconds),
        )
        _note(results.sequential, mode, _throughput).add(alone.ops_per_second)
        _note(results.sequential_ratio, mode, _ratio).add(alone.ops_per_second / raw)

    in_memory = await _timed(
        f"{label} · wallet memory, {plan.users} users",
        wallet.concurrent_users(backends.memory, users=plan.users, sequence=plan.sequence),
    )
    _note(results.concurrent, "memory", _throughput).add(in_memory.ops_per_second)

    nx = await _timed(
        f"{label} · wallet mongo (nx-27017), {plan.mongo_users} users",
        wallet.concurrent_users(
            backends.mongo(mongo_url), users=plan.mongo_users, sequence=plan.mongo_sequence
        ),
    )
    _note(results.concurrent, "mongo", _throughput).add(nx.ops_per_second)

    for name, open_backend in STORAGES:
        clean_heap()
        relayed = await bus.publish_to_handled(
            open_backend,
            sequential=plan.bus_sequential,
            bursts=plan.bus_bursts,
            burst_size=plan.bus_burst_size,
        )
        _note(results.bus, f"{name} sequential", Latency).add(relayed.sequential_ms)
        _note(results.bus, f"{name} bursts", Latency).add(relayed.burst_ms)
        progress(
            f"{label} · bus over {name}: p50 {percentile(relayed.sequential_ms, 0.5):.2f} ms sequential,"
            f" {percentile(relayed.burst_ms, 0.5):.2f} ms in bursts"
        )

    for name, open_backend in STORAGES:
        clean_heap()
        replies = await telegram.saldo(open_backend, updates=plan.saldo_updates)
        _note(results.polled, name, Latency).add(replies.polled_ms)
        _note(results.fed, name, Latency).add(replies.fed_ms)
        progress(
            f"{label} · /saldo over {name}: p50 {percentile(replies.polled_ms, 0.5):.2f} ms polled,"
            f" {percentile(replies.fed_ms, 0.5):.2f} ms fed"
        )


def _note(figures: dict[str, T], key: str, make: Callable[[], T]) -> T:
    if key not in figures:
        figures[key] = make()
    return figures[key]


async def _timed(label: str, work: Awaitable[wallet.WalletRun]) -> wallet.WalletRun:
    """Await ``work`` (a coroutine: nothing of it has run yet) on a clean heap, and report its figure."""
    clean_heap()
    result = await work
    progress(
        f"{label}: {result.ops_per_second:,.0f} ops/s ({result.operations} ops in {result.seconds:.2f} s)"
    )
    return result
