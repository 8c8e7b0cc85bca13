"""The final table: every figure as median [min–max] of the per-run values, with the run's conditions."""

import os
import platform
import sqlite3
import textwrap
from datetime import UTC, datetime
from importlib import metadata

from benchmarks.suite import Latency, Results

SECTION = 46
CASE = 32


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _row(section: str, case: str, value: str) -> str:
    return f"{section:<{SECTION}}{case:<{CASE}}{value}".rstrip()


def _latency(latency: Latency) -> str:
    return f"p50 {latency.p50.text()}   p99 {latency.p99.text()}"


def _ops(sequence: tuple[int, ...]) -> str:
    return ", ".join(f"credit {n}" if n > 0 else f"debit {-n}" for n in sequence)


def render(results: Results, *, seconds: float, quick: bool = False) -> str:
    """The table printed to stdout at the end."""
    plan = results.plan
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    python = platform.python_version()
    lines = [
        f"YABOT benchmarks{' (--quick smoke run, smaller runs)' if quick else ''} — {today}, Python {python},"
        f" {os.cpu_count()} cores, {plan.repeats} repeats (median [min–max] of the per-run figures)",
        f"SQLite {sqlite3.sqlite_version}, aiogram {_version('aiogram')}, nx-27017 {_version('nx-27017')};"
        " one short warm-up round of every scenario ran first and was discarded; gc.collect() (untimed)"
        " before every run, the collector on during runs.",
        "",
    ]

    wallets = f"wallet ops/s, {plan.users} concurrent users"
    lines.append(_row(wallets, "memory", results.concurrent["memory"].text()))
    for mode in ("FULL", "NORMAL"):
        raw = results.raw[mode]
        figure = results.concurrent[f"sqlite {mode}"]
        lines.append(
            _row(
                "",
                f"sqlite {mode}",
                f"{figure.text()}  (raw sqlite {mode} single-row tx/s: {raw.text(unit=False)};"
                f" ratio {results.concurrent_ratio[mode].text()})",
            )
        )
    lines.append(
        _row(
            "",
            "mongo on nx-27017 (see note)",
            f"{results.concurrent['mongo'].text()}"
            f"  ({plan.mongo_users} users × {len(plan.mongo_sequence)} ops)",
        )
    )
    lines.append(_row(f"  each user: {_ops(plan.sequence)}", "", ""))
    lines.append("")

    for mode in ("FULL", "NORMAL"):
        section = "wallet ops/s, 1 user, sequential" if mode == "FULL" else ""
        lines.append(
            _row(
                section,
                f"sqlite {mode}",
                f"{results.sequential[mode].text()}"
                f"  (raw sqlite {mode}: {results.raw[mode].text(unit=False)};"
                f" ratio {results.sequential_ratio[mode].text()})",
            )
        )
    lines.append("")

    burst = f"bursts of {plan.bus_burst_size}"
    bus_section = "event bus publish → handled (LocalEventBus)"
    for n, name in enumerate(("memory", "sqlite FULL")):
        lines.append(
            _row(
                bus_section if n == 0 else "",
                f"{name}, sequential",
                _latency(results.bus[f"{name} sequential"]),
            )
        )
        lines.append(_row("", f"{name}, {burst}", _latency(results.bus[f"{name} bursts"])))
    lines.append(
        _row(
            f"  {plan.bus_sequential} sequential + {plan.bus_bursts} bursts × {plan.bus_burst_size} per run",
            "",
            "",
        )
    )
    lines.append("")

    saldo_section = f"/saldo, aiogram ↔ fake Bot API ({plan.saldo_updates}/run)"
    for n, name in enumerate(("memory", "sqlite FULL")):
        lines.append(_row(saldo_section if n == 0 else "", f"{name}, polled", _latency(results.polled[name])))
        lines.append(_row("", f"{name}, dp.feed_update", _latency(results.fed[name])))
    lines.append("")

    notes = [
        "ratio = our wallet ops/s ÷ raw single-row tx/s in the same synchronous mode, paired per round. "
        "Under concurrency our group commit carries many operations in one COMMIT (one fsync for up to "
        "256), while raw pays a COMMIT per row: a ratio above 1 is possible and fine. The 1-user "
        "sequential rows have nothing to batch, so they show our per-operation overhead.",
        "mongo = MongoStorage(exclusive=True) over nx-27017, the SQLite-backed MongoDB wire-protocol TEST "
        "server on loopback, NOT a real MongoDB: it says nothing about production MongoDB speed. Each user "
        f"does fewer operations there ({_ops(plan.mongo_sequence)}), since it is slow.",
        "Every wallet run checks every balance and ledger count afterwards; a wrong one aborts the run.",
        "Bus latency = handler entry − the moment before the event's commit (storage.transactions.run). "
        "Sequential: the next event is published once the previous one was handled. Bursts: published "
        "at once with asyncio.gather, one user per event; the next burst waits for the whole burst.",
        "/saldo polled = server.feed(update) until the fake server recorded the bot's sendMessage "
        "(perf_counter around wait_for_messages); dp.feed_update = that call alone, its reply still sent "
        "over HTTP. Bot, fake server and storage share one process and event loop.",
        "p50 and p99 are taken per run (nearest rank over that run's samples), then summarized across runs.",
        f"Total benchmark time {seconds:,.0f} s, imports and server start-up included.",
    ]
    lines.append("Notes:")
    lines.extend(
        textwrap.fill(note, width=110, initial_indent="- ", subsequent_indent="  ") for note in notes
    )
    return "\n".join(lines)
