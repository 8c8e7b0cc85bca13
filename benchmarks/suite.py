"""Runs every scenario once per round (rounds interleave, so noise hits all alike); keeps per-run figures."""

from collections.abc import Awaitable
from dataclasses import dataclass, field

from benchmarks import (
    api,
    auctions,
    backends,
    broadcast,
    bus,
    credits,
    inventory,
    ranking,
    reactions,
    sqlite_raw,
    store,
    story,
    telegram,
    timers,
    vip,
    vip_sweep,
    wallet,
)
from benchmarks.plan import Plan
from benchmarks.product import PRODUCT_STORAGES
from benchmarks.stats import Figure, Latency, OpsRun, clean_heap, percentile, progress

SYNC_MODES: tuple[sqlite_raw.Synchronous, ...] = ("FULL", "NORMAL")
STORAGES = (("memory", backends.memory), ("sqlite FULL", backends.sqlite("FULL")))
"""The backends the bus and the timers run over."""


@dataclass(slots=True)
class Compared:
    """A figure of ours and its raw reference, measured in the same round, and their ratio per round."""

    ours: Figure = field(default_factory=lambda: Figure(""))
    reference: Figure = field(default_factory=lambda: Figure(""))
    ratio: Figure = field(default_factory=lambda: Figure("", 2))

    def add(self, ours: float, reference: float) -> None:
        """Record one round's pair."""
        self.ours.add(ours)
        self.reference.add(reference)
        self.ratio.add(ours / reference)


@dataclass(slots=True)
class Results:
    """Every figure, each holding one value per timed run, by name (see :mod:`benchmarks.report`)."""

    plan: Plan
    figures: dict[str, Figure] = field(default_factory=dict)
    compared: dict[str, Compared] = field(default_factory=dict)
    latencies: dict[str, Latency] = field(default_factory=dict)
    timer_overrun: float = 0.0
    sweep: vip_sweep.SweepRun | None = None
    """The expiry sweep's one run."""
    broadcast: "broadcast.BroadcastRun | None" = None
    """The broadcast's one run."""
    posts: "broadcast.PostsRun | None" = None
    """The due posts' one run."""
    """The longest a timer run's scheduling outlasted its lead (0: the timers were due after the start)."""

    def figure(self, key: str) -> Figure:
        """The throughput figure ``key`` (created empty on first use)."""
        return self.figures.setdefault(key, Figure(""))

    def pair(self, key: str) -> Compared:
        """The compared figure ``key`` (created empty on first use)."""
        return self.compared.setdefault(key, Compared())

    def latency(self, key: str) -> Latency:
        """The latency figure ``key`` (created empty on first use)."""
        return self.latencies.setdefault(key, Latency())


async def run(plan: Plan, mongo_url: str) -> Results:
    """One discarded warm-up round, then ``plan.repeats`` timed rounds of every scenario."""
    progress("warm-up round (discarded)")
    await _round(plan.warm_up(), mongo_url, Results(plan), "warm-up")
    results = Results(plan)
    for number in range(1, plan.repeats + 1):
        await _round(plan, mongo_url, results, f"round {number}/{plan.repeats}")
    progress(f"expiry sweep: {plan.sweep_fans:,} VIPs ending at once, Telegram's limits enforced (minutes)")
    clean_heap()
    results.sweep = swept = await vip_sweep.sweep(plan.sweep_fans)
    progress(
        f"expiry sweep: closed in {swept.closed_s:.1f} s, shown out in {swept.removed_s:.1f} s, told in"
        f" {swept.told_s:.1f} s ({swept.messages_per_second:.1f} messages/s), {swept.refused} refused (429)"
    )
    progress(f"broadcast: {plan.broadcast_fans:,} fans, Telegram's limits enforced (minutes)")
    clean_heap()
    results.broadcast = sent = await broadcast.broadcast(plan.broadcast_fans)
    progress(
        f"broadcast: {sent.sent:,} sent, {sent.blocked} blocked, {sent.failed} failed in {sent.seconds:.1f} s"
        f" ({sent.messages_per_second:.1f} messages/s overall, {sent.sending_rate:.1f} while sending),"
        f" {sent.refused} refused (429)"
    )
    progress(f"posts: {plan.due_posts} due in the same second, half to each channel")
    clean_heap()
    results.posts = posted = await broadcast.posts_due(plan.due_posts)
    progress(f"posts: all {posted.posts} published in {posted.seconds:.1f} s, {posted.refused} refused (429)")
    return results


async def _round(plan: Plan, mongo_url: str, results: Results, label: str) -> None:
    """Every scenario once; each figure right beside its reference, so their ratio is paired."""
    await _wallet_and_credits(plan, mongo_url, results, label)
    await _bus_and_timers(plan, results, label)
    await _reactions(plan, results, label)
    await _story(plan, results, label)
    await _auctions(plan, results, label)
    for storage in PRODUCT_STORAGES:
        clean_heap()
        replies = await telegram.saldo(
            storage, updates=plan.saldo_updates, concurrency=plan.saldo_concurrency
        )
        results.pair(f"saldo fed {storage}").add(replies.fed, replies.bare_fed)
        results.pair(f"saldo polled {storage}").add(replies.polled, replies.bare_polled)
        results.pair(f"saldo metrics fed {storage}").add(replies.fed, replies.unmetered_fed)
        results.pair(f"saldo metrics polled {storage}").add(replies.polled, replies.unmetered_polled)
        progress(
            f"{label} · /saldo over {storage}: fed {replies.fed:,.0f} vs bare {replies.bare_fed:,.0f}"
            f" updates/s, polled {replies.polled:,.0f} vs bare {replies.bare_polled:,.0f};"
            f" without update metrics fed {replies.unmetered_fed:,.0f},"
            f" polled {replies.unmetered_polled:,.0f}"
        )
    for storage in PRODUCT_STORAGES:
        clean_heap()
        asked = await vip.checks(storage, rounds=plan.vip_rounds)
        results.figure(f"vip kept {storage}").add(asked.kept)
        if asked.raw is not None:
            results.pair(f"vip {storage}").add(asked.unkept, asked.raw)
        else:
            results.figure(f"vip unkept {storage}").add(asked.unkept)
        progress(
            f"{label} · is VIP over {storage}: {asked.kept:,.0f} kept, {asked.unkept:,.0f} unkept"
            + (f", raw {asked.raw:,.0f}" if asked.raw is not None else "")
            + " checks/s"
        )
    clean_heap()
    ranked = await ranking.boards(reads=plan.ranking_reads)
    results.pair("ranking sqlite FULL").add(ranked.boards, ranked.raw)
    progress(
        f"{label} · /ranking among {ranking.FANS:,} fans over sqlite FULL: {ranked.boards:,.0f} boards/s,"
        f" raw {ranked.raw:,.0f}"
    )
    for storage in PRODUCT_STORAGES:
        clean_heap()
        served = await api.besitos(storage, requests=plan.api_requests, concurrency=plan.api_concurrency)
        results.pair(f"api {storage}").add(served.besitos, served.constant)
        results.pair(f"api auth {storage}").add(served.besitos, served.unchecked)
        results.pair(f"api fan {storage}").add(served.fan, served.unchecked)
        progress(
            f"{label} · besitos API over {storage}: key {served.besitos:,.0f}, fan {served.fan:,.0f},"
            f" unchecked {served.unchecked:,.0f} vs constant {served.constant:,.0f} requests/s"
        )


async def _wallet_and_credits(plan: Plan, mongo_url: str, results: Results, label: str) -> None:
    for mode in SYNC_MODES:
        clean_heap()
        raw = sqlite_raw.single_row_transactions(mode, seconds=plan.raw_seconds)
        progress(f"{label} · raw sqlite3 {mode}: {raw:,.0f} tx/s")

        ours = await _timed(
            f"{label} · wallet sqlite {mode}, {plan.users} users",
            wallet.concurrent_users(backends.sqlite(mode), users=plan.users, sequence=plan.sequence),
        )
        results.pair(f"wallet sqlite {mode}").add(ours.ops_per_second, raw)

        counted = await _timed(
            f"{label} · credits delivered, sqlite {mode}, {plan.credit_users} users",
            credits.delivered(
                backends.sqlite(mode), users=plan.credit_users, credits_per_user=plan.credits_per_user
            ),
        )
        results.pair(f"credits sqlite {mode}").add(counted.ops_per_second, raw)

        mochilas = await _timed(
            f"{label} · mochila sqlite {mode}, {plan.inventory_users} users",
            inventory.concurrent_users(backends.sqlite(mode), users=plan.inventory_users),
        )
        results.pair(f"inventory sqlite {mode}").add(mochilas.ops_per_second, raw)

        purchases = await _timed(
            f"{label} · tienda sqlite {mode}, {plan.store_users} fans at once",
            store.concurrent_purchases(backends.sqlite(mode), users=plan.store_users),
        )
        results.pair(f"store sqlite {mode}").add(purchases.ops_per_second, raw)

        alone = await _timed(
            f"{label} · wallet sqlite {mode}, 1 user sequential",
            wallet.sequential_user(backends.sqlite(mode), seconds=plan.sequential_seconds),
        )
        results.pair(f"sequential sqlite {mode}").add(alone.ops_per_second, raw)

    in_memory = await _timed(
        f"{label} · wallet memory, {plan.users} users",
        wallet.concurrent_users(backends.memory, users=plan.users, sequence=plan.sequence),
    )
    results.figure("wallet memory").add(in_memory.ops_per_second)

    mochilas_in_memory = await _timed(
        f"{label} · mochila memory, {plan.inventory_users} users",
        inventory.concurrent_users(backends.memory, users=plan.inventory_users),
    )
    results.figure("inventory memory").add(mochilas_in_memory.ops_per_second)

    purchases_in_memory = await _timed(
        f"{label} · tienda memory, {plan.store_users} fans at once",
        store.concurrent_purchases(backends.memory, users=plan.store_users),
    )
    results.figure("store memory").add(purchases_in_memory.ops_per_second)

    nx = await _timed(
        f"{label} · wallet mongo (nx-27017), {plan.mongo_users} users",
        wallet.concurrent_users(
            backends.mongo(mongo_url), users=plan.mongo_users, sequence=plan.mongo_sequence
        ),
    )
    results.figure("wallet mongo").add(nx.ops_per_second)


async def _story(plan: Plan, results: Results, label: str) -> None:
    """Decisions/s through the core beside raw sqlite3; /historia taps through aiogram beside bare aiogram."""
    for storage in PRODUCT_STORAGES:
        decided = await _timed(
            f"{label} · story decisions over {storage}, {plan.story_fans} fans",
            story.decisions(storage, fans=plan.story_fans),
        )
        if storage == "memory":
            results.figure("story decisions memory").add(decided.ops_per_second)
        else:
            raw = sqlite_raw.single_row_transactions("FULL", seconds=plan.raw_seconds)
            results.pair(f"story {storage}").add(decided.ops_per_second, raw)
        clean_heap()
        tapped = await story.taps(storage, taps=plan.story_taps)
        results.latency(f"historia {storage}").add(tapped.ours_ms)
        results.latency(f"historia bare {storage}").add(tapped.bare_ms)
        progress(
            f"{label} · /historia taps over {storage}: p50 {percentile(tapped.ours_ms, 0.5):.2f} ms,"
            f" p99 {percentile(tapped.ours_ms, 0.99):.2f} ms; bare p50 {percentile(tapped.bare_ms, 0.5):.2f}"
            f" ms, p99 {percentile(tapped.bare_ms, 0.99):.2f} ms"
        )


async def _bus_and_timers(plan: Plan, results: Results, label: str) -> None:
    for name, open_backend in STORAGES:
        clean_heap()
        relayed = await bus.publish_to_handled(
            open_backend,
            sequential=plan.bus_sequential,
            bursts=plan.bus_bursts,
            burst_size=plan.bus_burst_size,
        )
        results.latency(f"bus {name} sequential").add(relayed.sequential_ms)
        results.latency(f"bus {name} bursts").add(relayed.burst_ms)
        progress(
            f"{label} · bus over {name}: p50 {percentile(relayed.sequential_ms, 0.5):.2f} ms sequential,"
            f" {percentile(relayed.burst_ms, 0.5):.2f} ms in bursts"
        )
    for name, open_backend in STORAGES:
        clean_heap()
        ticked = await timers.fire(open_backend, timers=plan.timers, lead=plan.timer_lead)
        results.figure(f"timers {name}").add(ticked.per_second)
        results.latency(f"timers {name} lag").add(ticked.lag_ms)
        results.timer_overrun = max(results.timer_overrun, ticked.overrun_s)
        late = f" (scheduling overran the lead by {ticked.overrun_s:.2f} s)" if ticked.overrun_s else ""
        progress(
            f"{label} · {plan.timers:,} timers over {name}: {ticked.per_second:,.0f} fired/s,"
            f" lag p50 {percentile(ticked.lag_ms, 0.5):,.0f} ms{late}"
        )


async def _reactions(plan: Plan, results: Results, label: str) -> None:
    for storage in PRODUCT_STORAGES:
        clean_heap()
        reacted = await reactions.reaction_latency(
            storage, reactions=plan.reactions, concurrency=plan.reaction_concurrency
        )
        results.latency(f"reaction {storage}").add(reacted.ours_ms)
        results.latency(f"reaction bare {storage}").add(reacted.bare_ms)
        progress(
            f"{label} · reaction → besito over {storage}: p99 {percentile(reacted.ours_ms, 0.99):.2f} ms"
            f" vs bare aiogram {percentile(reacted.bare_ms, 0.99):.2f} ms"
        )
    raw = sqlite_raw.single_row_transactions("FULL", seconds=plan.raw_seconds)
    progressed = await _timed(
        f"{label} · mission progress sqlite FULL, {plan.mission_fans} fans × {plan.mission_events}",
        reactions.mission_progress(
            backends.sqlite("FULL"), fans=plan.mission_fans, events_per_fan=plan.mission_events
        ),
    )
    results.pair("missions sqlite FULL").add(progressed.ops_per_second, raw)
    in_memory = await _timed(
        f"{label} · mission progress memory, {plan.mission_fans} fans × {plan.mission_events}",
        reactions.mission_progress(
            backends.memory, fans=plan.mission_fans, events_per_fan=plan.mission_events
        ),
    )
    results.figure("missions memory").add(in_memory.ops_per_second)


async def _auctions(plan: Plan, results: Results, label: str) -> None:
    raw = sqlite_raw.single_row_transactions("FULL", seconds=plan.raw_seconds)
    for name, open_backend in STORAGES:
        clean_heap()
        hot = await auctions.hot_auction(open_backend, bidders=plan.auction_bidders)
        if name == "memory":
            results.figure("auction bids memory").add(hot.run.ops_per_second)
        else:
            results.pair(f"auction bids {name}").add(hot.run.ops_per_second, raw)
        progress(
            f"{label} · hot auction over {name}, {plan.auction_bidders} bidders:"
            f" {hot.run.ops_per_second:,.0f} bids/s ({hot.accepted} accepted;"
            f" raw sqlite3 FULL {raw:,.0f} tx/s)"
        )
        clean_heap()
        lags = await auctions.close_to_notified(
            open_backend, auctions_due=plan.auction_closes, lead=plan.auction_lead
        )
        results.latency(f"auction close {name}").add(lags)
        progress(
            f"{label} · {plan.auction_closes} auctions closing at once over {name}:"
            f" close → notified p50 {percentile(lags, 0.5):,.0f} ms, max {max(lags):,.0f} ms"
        )


async def _timed(label: str, work: Awaitable[OpsRun]) -> OpsRun:
    """Await ``work`` (a coroutine: nothing of it has run yet) on a clean heap, and report its figure."""
    clean_heap()
    result = await work
    progress(
        f"{label}: {result.ops_per_second:,.0f} ops/s ({result.operations} ops in {result.seconds:.2f} s)"
    )
    return result
