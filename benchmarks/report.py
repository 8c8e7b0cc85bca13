"""The final table: every figure as median [min–max] of the per-run values, with the run's conditions."""

import os
import platform
import sqlite3
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime
from fractions import Fraction
from importlib import metadata

from benchmarks import api, broadcast, inventory, ranking, story, vip, vip_sweep
from benchmarks.product import PRODUCT_STORAGES
from benchmarks.suite import STORAGES, SYNC_MODES, Compared, Results

SECTION = 46
CASE = 32
COMPARED = (("figure", 44), ("on", 14), ("ours", 28), ("reference", 28), ("ratio", 20), ("goal", 0))
"""The columns of the comparisons: name and width (the last one takes what it needs)."""

SALDO_GOAL = Fraction(1, 3)
API_GOAL = Fraction(1, 2)
CREDITS_GOAL = Fraction(1, 3)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _row(section: str, case: str, value: str) -> str:
    return f"{section:<{SECTION}}{case:<{CASE}}{value}".rstrip()


def _columns(*cells: str) -> str:
    return "".join(f"{cell:<{width}}" for cell, (_, width) in zip(cells, COMPARED, strict=True)).rstrip()


def _goal(pair: Compared, goal: Fraction | None) -> str:
    if goal is None:
        return "—"
    if not pair.ratio.runs:
        return f"≥ {goal}"
    return f"≥ {goal}: {'met' if pair.ratio.median >= goal else 'below'}"


def _compared(
    results: Results, figure: str, kind: str, cases: Sequence[str], goal: Fraction | None
) -> list[str]:
    """One line per case (the figure ``f"{kind} {case}"``): ours, the reference, their ratio, the goal."""
    lines = []
    for n, case in enumerate(cases):
        pair = results.pair(f"{kind} {case}")
        lines.append(
            _columns(
                figure if n == 0 else "",
                case,
                pair.ours.text(),
                pair.reference.text(),
                pair.ratio.text(),
                _goal(pair, goal),
            )
        )
    return lines


def _ops(sequence: tuple[int, ...]) -> str:
    return ", ".join(f"credit {n}" if n > 0 else f"debit {-n}" for n in sequence)


def _header(results: Results, quick: bool) -> list[str]:
    plan = results.plan
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"YABOT benchmarks{' (--quick smoke run, smaller runs)' if quick else ''} — {today},"
        f" Python {platform.python_version()}, {os.cpu_count()} cores, {plan.repeats} repeats"
        " (median [min–max] of the per-run figures)",
        f"SQLite {sqlite3.sqlite_version}, aiogram {_version('aiogram')}, Litestar {_version('litestar')},"
        f" httpx {_version('httpx')}, nx-27017 {_version('nx-27017')}; one short warm-up round of every"
        " scenario ran first and was discarded; gc.collect() (untimed) before every run, the collector on"
        " during runs.",
        "",
    ]


def _comparisons(results: Results) -> list[str]:
    plan = results.plan
    sqlite = [f"sqlite {mode}" for mode in SYNC_MODES]
    lines = [
        "Beside raw references (ratio = ours ÷ reference, paired per round; the goals are the issue's)",
        _columns(*(name for name, _ in COMPARED)),
        *_compared(
            results,
            f"/saldo updates/s, feed_update, {plan.saldo_concurrency} at once",
            "saldo fed",
            PRODUCT_STORAGES,
            SALDO_GOAL,
        ),
        *_compared(
            results,
            f"/saldo updates/s, polled, {plan.saldo_updates} fed at once",
            "saldo polled",
            PRODUCT_STORAGES,
            SALDO_GOAL,
        ),
        *_compared(
            results,
            "… fed, with update metrics vs without (metrics' cost)",
            "saldo metrics fed",
            PRODUCT_STORAGES,
            None,
        ),
        *_compared(
            results,
            "… polled, with update metrics vs without",
            "saldo metrics polled",
            PRODUCT_STORAGES,
            None,
        ),
        *_compared(
            results,
            f"GET …/besitos requests/s, {plan.api_concurrency} in flight",
            "api",
            PRODUCT_STORAGES,
            API_GOAL,
        ),
        *_compared(
            results,
            "… with a key vs unchecked (auth's cost)",
            "api auth",
            PRODUCT_STORAGES,
            None,
        ),
        *_compared(
            results,
            "… as a fan (initData) vs unchecked",
            "api fan",
            PRODUCT_STORAGES,
            None,
        ),
        *_compared(
            results,
            f"is VIP? checks/s, {vip.FANS:,} fans, nothing kept",
            "vip",
            ("sqlite FULL",),
            None,
        ),
        *_compared(
            results,
            f"credits delivered/s, {plan.credit_users} users × {plan.credits_per_user}",
            "credits",
            sqlite,
            CREDITS_GOAL,
        ),
        *_compared(
            results, f"wallet ops/s, {plan.users} users × {len(plan.sequence)}", "wallet", sqlite, None
        ),
        *_compared(results, "wallet ops/s, 1 user, sequential", "sequential", sqlite, None),
        *_compared(
            results,
            f"mochila ops/s, {plan.inventory_users} users × {len(inventory.JOURNEY)}",
            "inventory",
            sqlite,
            None,
        ),
        *_compared(
            results,
            f"mission progress events/s, {plan.mission_fans} fans × {plan.mission_events}",
            "missions",
            ("sqlite FULL",),
            None,
        ),
        *_compared(
            results,
            f"story decisions/s, {plan.story_fans} fans × {len(story.PATH)}",
            "story",
            ("sqlite FULL",),
            None,
        ),
        *_compared(results, f"tienda purchases/s, {plan.store_users} fans at once", "store", sqlite, None),
        *_compared(
            results,
            f"/ranking boards/s, {ranking.FANS:,} fans, {plan.ranking_reads} reads",
            "ranking",
            ("sqlite FULL",),
            None,
        ),
        *_compared(
            results,
            f"bids/s on one hot auction, {plan.auction_bidders} bidders at once",
            "auction bids",
            ("sqlite FULL",),
            None,
        ),
    ]
    references = (
        "references: /saldo = a bare aiogram handler answering a constant text (same Bot, same fake Bot API"
        " server); besitos = a constant Litestar route in an app from the same create_app; credits, wallet,"
        " mochila, story, tienda and auction bids = raw sqlite3 single-row transactions/s in the same"
        " synchronous mode; is VIP = raw sqlite3 reading the same subscription row by primary key from the"
        " same file; /ranking = the ranking's own SQL statements (hidden?, top ten and own place, this week"
        " and all time) through raw sqlite3 on the same file."
    )
    return [*lines, textwrap.fill(references, width=150, initial_indent="  ", subsequent_indent="  "), ""]


def _alone(results: Results) -> list[str]:
    plan = results.plan
    lines = [
        _row(
            f"wallet ops/s, {plan.users} concurrent users",
            "memory",
            f"{results.figure('wallet memory').text()} ops/s",
        ),
        _row(
            "",
            "mongo on nx-27017 (see note)",
            f"{results.figure('wallet mongo').text()} ops/s"
            f"  ({plan.mongo_users} users × {len(plan.mongo_sequence)} ops)",
        ),
        _row(f"  each user: {_ops(plan.sequence)}", "", ""),
        "",
        _row(
            f"mochila ops/s, {plan.inventory_users} concurrent users",
            "memory",
            f"{results.figure('inventory memory').text()} ops/s",
        ),
        _row(f"  each user: {', '.join(name for name, _ in inventory.JOURNEY)}", "", ""),
        "",
        _row(
            f"story decisions/s, {plan.story_fans} concurrent fans",
            "memory",
            f"{results.figure('story decisions memory').text()} decisions/s",
        ),
        _row(
            f"tienda purchases/s, {plan.store_users} fans at once",
            "memory",
            f"{results.figure('store memory').text()} purchases/s",
        ),
        "",
    ]
    for n, storage in enumerate(PRODUCT_STORAGES):
        section = f"/historia tap → answered, {plan.story_taps} taps" if n == 0 else ""
        lines.append(_row(section, f"{storage}, ours", results.latency(f"historia {storage}").text()))
        lines.append(_row("", f"{storage}, bare aiogram", results.latency(f"historia bare {storage}").text()))
    lines.append("")
    lines += [
        _row(
            f"is VIP? checks/s, {vip.FANS:,} fans ({vip.VIPS:,} VIP)",
            "memory, as asked",
            f"{results.figure('vip kept memory').text()} checks/s",
        ),
        _row("", "memory, nothing kept", f"{results.figure('vip unkept memory').text()} checks/s"),
        _row(
            "",
            "sqlite FULL, as asked",
            f"{results.figure('vip kept sqlite FULL').text()} checks/s",
        ),
        _row("  as asked = through the product's VipStatus, which keeps each fan's subscription 2 s", "", ""),
        "",
    ]
    if (swept := results.sweep) is not None:
        lines += [
            _row(
                f"expiry sweep, {swept.fans:,} VIPs due at once",
                "sqlite FULL, closed",
                f"{swept.closed_s:.1f} s",
            ),
            _row(
                "  (one run; Telegram's limits enforced)",
                "shown out (ban + unban)",
                f"{swept.removed_s:.1f} s",
            ),
            _row(
                "",
                "told by Lucien",
                f"{swept.told_s:.1f} s = {swept.messages_per_second:.1f} messages/s"
                f" ({swept.messages_per_second / vip_sweep.TELEGRAM_PER_SECOND:.2f} of Telegram's 30/s),"
                f" {swept.refused} refused (429)",
            ),
            "",
        ]
    if (sent := results.broadcast) is not None:
        lines += [
            _row(
                f"broadcast to {sent.fans:,} fans",
                "sqlite FULL, sent",
                f"{sent.sent:,} in {sent.seconds:.1f} s = {sent.messages_per_second:.1f} messages/s"
                f" ({sent.messages_per_second / broadcast.TELEGRAM_PER_SECOND:.2f} of Telegram's 30/s)",
            ),
            _row(
                "  (one run; Telegram's limits enforced)",
                "while sending",
                f"{sent.sending_rate:.1f} messages/s"
                f" ({sent.sending_rate / broadcast.TELEGRAM_PER_SECOND:.2f} of 30/s)",
            ),
            _row(
                "",
                "blocked / failed / uncertain",
                f"{sent.blocked} / {sent.failed} / {sent.uncertain}, {sent.refused} refused (429)",
            ),
            "",
        ]
    if (posted := results.posts) is not None:
        floor = max(posted.posts / 2 - 1, 0)
        lines += [
            _row(
                f"{posted.posts} posts due at once",
                "sqlite FULL, all published",
                f"{posted.seconds:.1f} s (Telegram's 1/s per channel: {floor:.0f} s at best),"
                f" {posted.refused} refused (429)",
            ),
            "",
        ]
    lines.append(
        _row(
            f"mission progress events/s, {plan.mission_fans} fans",
            "memory",
            f"{results.figure('missions memory').text()} events/s",
        )
    )
    lines.append("")
    for n, storage in enumerate(PRODUCT_STORAGES):
        section = f"reaction → besito, {plan.reaction_concurrency} at once" if n == 0 else ""
        lines.append(_row(section, f"{storage}, ours", results.latency(f"reaction {storage}").text()))
        lines.append(_row("", f"{storage}, bare aiogram", results.latency(f"reaction bare {storage}").text()))
    lines += [_row(f"  {plan.reactions:,} message_reaction updates per run, one fan each", "", ""), ""]
    for n, (name, _) in enumerate(STORAGES):
        lines.append(
            _row(
                f"timers fired/s, {plan.timers:,} due at once" if n == 0 else "",
                name,
                f"{results.figure(f'timers {name}').text()}"
                f"   lag {results.latency(f'timers {name} lag').text()}",
            )
        )
    lines.append("")
    lines.append(
        _row(
            f"bids/s on one hot auction, {plan.auction_bidders:,} bidders",
            "memory",
            f"{results.figure('auction bids memory').text()} bids/s",
        )
    )
    for n, (name, _) in enumerate(STORAGES):
        lines.append(
            _row(
                f"auction close → winner's notice handled, {plan.auction_closes} due at once"
                if n == 0
                else "",
                name,
                results.latency(f"auction close {name}").text(),
            )
        )
    lines.append("")
    burst = f"bursts of {plan.bus_burst_size}"
    for n, (name, _) in enumerate(STORAGES):
        section = "event bus publish → handled (LocalEventBus)" if n == 0 else ""
        lines.append(_row(section, f"{name}, sequential", results.latency(f"bus {name} sequential").text()))
        lines.append(_row("", f"{name}, {burst}", results.latency(f"bus {name} bursts").text()))
    lines += [
        _row(
            f"  {plan.bus_sequential} sequential + {plan.bus_bursts} bursts × {plan.bus_burst_size} per run",
            "",
            "",
        ),
        "",
    ]
    return lines


def _notes(results: Results, seconds: float) -> list[str]:
    plan = results.plan
    notes = [
        "/saldo: the product's dispatcher (yabot_app.container.build_dispatcher over the registered modules,"
        " storage from build_container) and the bare one share one aiogram Bot and one fake Bot API server"
        " (real HTTP on loopback, same process and event loop). feed_update: the updates are handed to"
        " dp.feed_update by that many callers at once; each call returns once its reply was answered."
        " polled: every update is fed to the server at once and aiogram's start_polling takes them (a task"
        " per update); timed until the server recorded every reply. Every reply is checked.",
        "besitos: the product's route is called with an API key (Bearer: one keyed read of the key and a"
        " SHA-256 per request) and as a fan (tma initData: an HMAC per request), beside the same routes"
        " behind an authenticator that checks nothing, and the constant route; every app is driven"
        " in-process through ASGI (httpx ASGITransport, no sockets); the"
        " client's own cost is in both figures, which pulls the ratio towards 1. Litestar's rate limiter is"
        " off in both (YABOT_API_RATE_LIMIT_PER_MINUTE=0): it re-encodes a timestamp per request of the last"
        " minute on every request, so it would measure its own growth. Requests cycle over"
        f" {len(api.USERS)} registered users.",
        "credits delivered = WalletService.credit committed AND its BesitosAwarded handled by a subscribed"
        " no-op handler (LocalEventBus started), timed until the last was handled; balances, ledgers and an"
        " empty outbox are checked afterwards. Wallet ops/s: credits and debits without a started bus"
        f" (each user: {_ops(plan.sequence)}). Under concurrency our group commit carries many operations in"
        " one COMMIT while raw pays a COMMIT per row, so a ratio above 1 is possible with FULL, where the"
        " fsync dominates; the 1-user sequential rows have nothing to batch.",
        f"timers: {plan.timers:,} timers scheduled in units of work (new_timer + uow.timers.schedule, 500"
        f" each), all due {plan.timer_lead:g} s later; the Ticker, started after scheduling, sleeps until"
        " then and fires them; TimerFired reaches a no-op handler through a started LocalEventBus. fired/s ="
        " timers ÷ (last handled − due time); lag = handled − due time (wall clock).",
        "mongo = MongoStorage(exclusive=True) over nx-27017, the SQLite-backed MongoDB wire-protocol TEST"
        " server on loopback, NOT a real MongoDB: it says nothing about production MongoDB speed. Each user"
        f" does fewer operations there ({_ops(plan.mongo_sequence)}), since it is slow.",
        "Bus latency = handler entry − the moment before the event's commit. Sequential: the next event is"
        " published once the previous one was handled. Bursts: published at once with asyncio.gather, one"
        " user per event; the next burst waits for the whole burst.",
        "expiry sweep: VIPs granted with a clock 30 days behind (all ending now), then a process started as"
        " `yabot run` starts behind its doors (lifecycle.working) with YABOT_VIP_CHANNEL_ID set, over the"
        " same SQLite file and a fake Bot API server enforcing 30 messages in any one second and one per"
        " second per chat (429 with retry_after 1 beyond). Timed from that start: every VIP closed (expiry"
        " timers), every fan shown out (ban, then unban) and told by Lucien (his goodbye, a scheduled"
        " message). The goodbyes are bound by Telegram's limit: 10,000 take at least 333 s.",
        "broadcast: fans registered (one in 500 blocked at the server), one broadcast to everyone, then a"
        " process started as `yabot run` behind its doors over the same SQLite file and the enforcing fake"
        " server; timed from that start until the broadcast finished. posts: posts scheduled for one second,"
        " half to each channel, published by such a process; timed until all were in their channels.",
        "p50 and p99 are taken per run (nearest rank over that run's samples), then summarized across runs.",
        "mochila ops/s: the Mochila service over the shipped items catalog, each user's steps in turn (each"
        " its own unit of work and idempotency key), all users at once; every mochila is checked afterwards"
        f" (it must hold {', '.join(f'{n} {item}' for item, n in inventory.HOLDS.items())}).",
        "reaction → besito: message_reaction updates (a group, one fan per update, so the daily cap never"
        " bites) handed to dp.feed_update by that many callers at once; each call returns once the reaction,"
        " its besito and its ReactionDetected are committed (the group gets no reply). Bare aiogram = the"
        " same updates through a Dispatcher whose message_reaction handler does nothing. Every fan's"
        " balance is checked afterwards (exactly one besito).",
        "mission progress: Missions.on_event over distinct ReactionDetected events (each counted once, its"
        " id stored with the progress in one unit of work), the fans at once, each fan's events in turn;"
        " every fan's progress is checked afterwards. Reference: raw sqlite3 single-row transactions/s"
        " (FULL).",
        "story decisions: Narrative.decide of the product's container (shipped story and catalog), every fan"
        f" taking the same {len(story.PATH)} decisions from the door to the garden (besitos and two pistas on"
        " the way), all fans at once; each fan's progress is checked afterwards. /historia taps: one press"
        " after another handed to dp.feed_update of the product's dispatcher (the fan's decision, the old"
        " buttons removed, the next scene sent: three Bot API calls over loopback HTTP to the fake server),"
        " beside a bare aiogram handler making the same three calls with constant texts; the time from the"
        " tap's arrival in the process to its answer (Telegram's own network and polling are not in it;"
        " the seed asks for an answer within 2 s).",
        "tienda purchases/s: the Store service over the shipped catalog; every fan is given a rose's price"
        " (untimed), then all buy one rose at once (debit, mochila, the shared sold counter and the purchase"
        " in one unit of work each); the sold count, every wallet and every mochila are checked afterwards.",
        f"Total benchmark time {seconds:,.0f} s, imports and server start-up included.",
    ]
    if results.timer_overrun > 0:
        notes.insert(
            4,
            f"Scheduling the timers outlasted their lead by up to {results.timer_overrun:.2f} s in some run:"
            " those runs' lags include that wait.",
        )
    return ["Notes:"] + [
        textwrap.fill(note, width=110, initial_indent="- ", subsequent_indent="  ") for note in notes
    ]


def render(results: Results, *, seconds: float, quick: bool = False) -> str:
    """The table printed to stdout at the end."""
    return "\n".join(
        [*_header(results, quick), *_comparisons(results), *_alone(results), *_notes(results, seconds)]
    )
