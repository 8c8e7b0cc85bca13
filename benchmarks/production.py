"""The production profile's figures (issue 13), beside the raw engine each stands on.

- events/s through the Redis Streams bus (outbox -> publisher -> stream -> consumer group -> handler, on
  memory storage so the figure is the Redis path's) beside raw pipelined XADD + XREADGROUP + XACK on the
  same server;
- webhook updates/s with 1 and with 3 `yabot run` processes (production profile, the acceptance's fans:
  /start, /regalo twice, /saldo; one push in five delivered twice), and the scaling ratio; each run also
  checks the acceptance's invariants (every wallet equals its ledger, no effect twice, answers in order).

Run with `make bench` (after the main suite) or `python -m benchmarks.production [--fans N]`. It measures and
asserts no speed. The MongoDB here is nx-27017 behind the proxy that serializes transactions
(tests/servers/serial_mongo.py): storage is one transaction at a time whatever the number of processes, so
the scaling ratio on this machine is bounded by it, not by YABOT; a real replica set is needed to see more.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlparse

from redis.asyncio import Redis

from tests.e2e.cluster import Cluster, Fans, production_env, settled
from tests.servers.mongo import fresh_database_name
from tests.servers.redis import OwnRedis
from tests.servers.serial_mongo import SerialMongoProxy
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.mongo.testing import nx_27017
from yabot_adapters.redis import RedisEventBus
from yabot_adapters.storage import StorageUnitOfWork
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import Event, EventStamper, UserId

GUARD = 600.0
"""Seconds any wait may last before the run counts as stuck (a benchmark must not hang)."""


class BenchStreamed(Event):
    """A benchmark-only event, numbered so the handler can count each once."""

    event_type: ClassVar[str] = "bench.streamed"

    n: int


def progress(text: str) -> None:
    print(f"[production] {text}", file=sys.stderr, flush=True)


async def bus_events_per_second(redis_url: str, events: int) -> float:
    """Commit ``events`` (1,000 users, 50 commits at a time) and time until a no-op handler saw them all."""
    clock, ids = SystemClock(), UuidGenerator()
    stamper = EventStamper(clock, ids)
    storage = InMemoryStorage(clock)
    client = Redis.from_url(redis_url, decode_responses=True)
    bus = RedisEventBus(
        storage, client, clock=clock, ids=ids, prefix=f"bench-{ids.new_id()}", poll_interval=0.05
    )
    seen: set[int] = set()
    done = asyncio.Event()

    async def probe(event: BenchStreamed) -> None:
        seen.add(event.n)
        if len(seen) == events:
            done.set()

    bus.subscribe(BenchStreamed, probe, name="bench.streamed_probe")
    await bus.start()
    try:

        async def commit(n: int) -> None:
            async def work(uow: StorageUnitOfWork) -> None:
                uow.record(BenchStreamed(**stamper.stamp(), user_id=UserId(n % 1000 + 1), n=n))

            await storage.transactions.run(work)

        started = time.perf_counter()
        for first in range(0, events, 50):
            await asyncio.gather(*(commit(n) for n in range(first, min(first + 50, events))))
        async with asyncio.timeout(GUARD):
            await done.wait()
        return events / (time.perf_counter() - started)
    finally:
        await bus.stop()
        await client.aclose()


async def raw_streams_per_second(redis_url: str, events: int, batch: int = 200) -> float:
    """The same count through bare commands: pipelined XADD, then XREADGROUP + XACK in batches."""
    client = Redis.from_url(redis_url, decode_responses=True)
    stream = f"bench-raw-{time.time_ns()}"
    try:
        await client.xgroup_create(stream, "g", id="0", mkstream=True)
        payload = {"event_id": "x" * 32, "event_type": "bench.streamed", "payload": "{" + "x" * 200 + "}"}
        started = time.perf_counter()
        for first in range(0, events, batch):
            async with client.pipeline(transaction=False) as pipe:
                for _ in range(first, min(first + batch, events)):
                    pipe.xadd(stream, payload)
                await pipe.execute()
        read = 0
        while read < events:
            answer = await client.xreadgroup("g", "c", {stream: ">"}, count=batch)
            entries = [entry_id for _, items in answer for entry_id, _ in items]
            await client.xack(stream, "g", *entries)
            read += len(entries)
        return events / (time.perf_counter() - started)
    finally:
        await client.delete(stream)
        await client.aclose()


async def webhook_updates_per_second(
    workdir: Path, mongo_url: str, redis_url: str, size: int, fans: int
) -> tuple[float, dict[str, object], float]:
    """Start ``size`` processes, push every fan's updates, time until all are answered; check invariants."""
    database = fresh_database_name()
    async with FakeTelegramServer(known_chats_only=False) as telegram:
        env = production_env(
            workdir,
            telegram=telegram,
            mongo_url=mongo_url,
            database=database,
            redis_url=redis_url,
            prefix=f"bench{size}",
        )
        crowd = Fans(telegram, fans)
        loop = asyncio.get_running_loop()
        up = loop.time()
        async with Cluster(env, workdir, size) as cluster:
            start_s = loop.time() - up
            progress(f"{size} process(es) up in {start_s:.0f} s; {fans} fans pushing")
            started = time.perf_counter()
            await crowd.send(crowd.ids, cluster)
            await crowd.answered(crowd.ids, timeout=GUARD)
            seconds = time.perf_counter() - started
            report = await settled(mongo_url, database, crowd.ids, timeout=GUARD)
        report["answers_repeated"] = crowd.repeated
        report["equal_to_ledger"] = not report.pop("unequal")
        report["repeated_effects"] = report.pop("twice")
        return crowd.accepted / seconds, report, start_s


async def main(fans: int, events: int) -> None:
    with tempfile.TemporaryDirectory(prefix="yabot-bench-production-") as temporary:
        root = Path(temporary)
        for name in ("nx", "redis", "one", "three"):
            (root / name).mkdir()
        with nx_27017(root / "nx") as nx, OwnRedis(root / "redis", persistent=True) as redis:
            progress(f"redis-server (AOF, appendfsync always) on port {redis.port}; {events:,} events")
            ours = await bus_events_per_second(redis.url, events)
            raw = await raw_streams_per_second(redis.url, events)
            upstream = urlparse(nx)
            assert upstream.hostname is not None
            assert upstream.port is not None
            async with SerialMongoProxy((upstream.hostname, upstream.port)) as proxy:
                one, one_report, _ = await webhook_updates_per_second(
                    root / "one", proxy.url, redis.url, 1, fans
                )
                three, three_report, _ = await webhook_updates_per_second(
                    root / "three", proxy.url, redis.url, 3, fans
                )
    print()
    print("Production profile (issue 13): one run each; no pass/fail")
    rows = (
        (
            "events/s, Redis Streams bus vs raw XADD+XREADGROUP+XACK",
            f"{ours:,.0f}",
            f"{raw:,.0f}",
            ours / raw,
        ),
        ("webhook updates/s, 3 processes vs 1 process", f"{three:,.1f}", f"{one:,.1f}", three / one),
    )
    print(f"{'figure':<58}{'ours':>14}{'reference':>16}{'ratio':>10}")
    for name, mine, reference, ratio in rows:
        print(f"{name:<58}{mine:>14}{reference:>16}{ratio:>10.3f}")
    print(f"  1 process:   {one_report}")
    print(f"  3 processes: {three_report}")
    print("  storage: nx-27017 behind the serializing proxy (one transaction at a time: bounds the ratio)")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.production", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--fans", type=int, default=1000, help="simulated fans (default 1000, the issue's)")
    parser.add_argument("--events", type=int, default=20_000, help="events through the bus (default 20,000)")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    asyncio.run(main(arguments.fans, arguments.events))
