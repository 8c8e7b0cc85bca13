"""The production profile as the acceptance runs it: N ``yabot run`` processes on one MongoDB wire server and
one Redis, fans pushing updates to their webhooks, and the checks of what must hold afterwards.

Shared by the journey (``test_production_cluster.py``, a few dozen fans) and by ``make bench`` (a thousand):
the same processes, the same fans, the same checks.
"""

import asyncio
import itertools
from collections.abc import Iterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

from tests.e2e.process import HANG_GUARD, Served, free_port, yabot_env
from yabot_adapters.telegram.testing import FakeTelegramServer

SECRET: Final = "secreto-del-cluster_e2e"  # noqa: S105  (the tests' own)
HEADER: Final = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
WELCOME: Final = 10
FIRST_FAN: Final = 70_000

GREETED: Final = "Le doy la bienvenida"
GIFTED: Final = "le ha dejado su regalo de hoy"
REFUSED: Final = "Ya recogió usted el regalo de hoy"
BALANCE: Final = "libro de cuentas"
SCRIPT: Final = (("/start", GREETED), ("/regalo", GIFTED), ("/regalo", REFUSED), ("/saldo", BALANCE))
"""What each fan sends, and the words of Lucien's answer to each: answers must come in this order."""


def production_env(
    workdir: Path, *, telegram: FakeTelegramServer, mongo_url: str, database: str, redis_url: str, prefix: str
) -> dict[str, str]:
    """The environment of one production process (each gets its own port on top).

    What ``deploy/compose.yaml`` gives its processes, plus what only a test sets: the fake Bot API, the wire
    server's exclusive mode, and short leases so a killed process's work is taken over within seconds.
    """
    return yabot_env(
        workdir,
        profile="production",
        mongo_url=mongo_url,
        mongo_database=database,
        mongo_exclusive="true",
        redis_url=redis_url,
        redis_prefix=prefix,
        bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        webhook_secret=SECRET,
        welcome_besitos=str(WELCOME),
        outbox_poll_interval="0.2",
        outbox_lease_seconds="3",
        webhook_lease_seconds="10",
        shutdown_timeout="5",
    )


class Cluster:
    """``size`` processes with one environment, each on its own port; all ended on exit, however it ends."""

    def __init__(self, env: dict[str, str], cwd: Path, size: int) -> None:
        self.processes = [Served({**env, "YABOT_API_PORT": str(free_port())}, cwd) for _ in range(size)]
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> "Cluster":
        async with AsyncExitStack() as stack:
            for process in self.processes:
                stack.push_async_callback(process.stop)
            await asyncio.gather(*(process.start() for process in self.processes))
            self._stack = stack.pop_all()
        return self

    async def __aexit__(self, *_: object) -> None:
        """Stop them all at once (each with SIGTERM, as an orchestrator would), however the block ended."""
        try:
            await asyncio.gather(*(process.stop() for process in self.processes), return_exceptions=True)
        finally:
            await self._stack.aclose()  # a no-op for each process stopped already

    @property
    def alive(self) -> list[Served]:
        """The processes still running (a proxy's health check would route to these only)."""
        return [process for process in self.processes if process.returncode is None]


@dataclass
class Fans:
    """Fans, each sending :data:`SCRIPT` one update after another, spread over the processes' webhooks.

    A fan's k-th update goes to process ``(fan + k) mod N`` among those alive, so every fan talks to every
    process. ``twice`` fans (every n-th) have their daily-gift push delivered twice, to two processes, as
    Telegram retries an update it got no answer to.
    """

    telegram: FakeTelegramServer
    count: int
    twice: int = 5
    duplicates: int = 0
    accepted: int = 0
    repeated: int = 0
    """Answers sent twice in a row: an update handled again after its process died mid-way (ADR 0010:
    updates are at least once; their effects, besitos and gifts, are exactly once)."""
    ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ids = [FIRST_FAN + n for n in range(self.count)]

    def updates(self, fan: int) -> Iterator[tuple[dict[str, Any], bool]]:
        """The fan's updates, each with whether to deliver it twice."""
        for step, (text, _) in enumerate(SCRIPT):
            update = self.telegram.message_update(fan, text, first_name=f"Fan{fan}")
            yield update, step == 1 and fan % self.twice == 0

    @property
    def pushes(self) -> int:
        """How many pushes :meth:`send` makes for every fan (the repeats included)."""
        return self.count * len(SCRIPT) + len([fan for fan in self.ids if fan % self.twice == 0])

    async def send(self, fans: Sequence[int], cluster: Cluster, *, at_once: int = 50) -> None:
        """Push every update of ``fans``; at most ``at_once`` fans push at a time."""
        gate = asyncio.Semaphore(at_once)
        async with httpx.AsyncClient(timeout=HANG_GUARD) as client:

            async def push(fan: int) -> None:
                async with gate:
                    for step, (update, again) in enumerate(self.updates(fan)):
                        await self._post(client, cluster, fan + step, update, duplicate=False)
                        if again:
                            await self._post(client, cluster, fan + step + 1, update, duplicate=True)

            await asyncio.gather(*(push(fan) for fan in fans))

    async def _post(
        self,
        client: httpx.AsyncClient,
        cluster: Cluster,
        turn: int,
        update: dict[str, Any],
        *,
        duplicate: bool,
    ) -> None:
        """Push to the process whose turn it is; one that does not answer (killed) is skipped for the next
        alive, as the proxy does (Caddy's ``lb_try_duration``): a push it may have stored before dying is then
        a repeat, which only an intended one has to be."""
        retried = False
        for _ in range(len(cluster.processes)):
            targets = cluster.alive
            to = targets[turn % len(targets)]
            try:
                answer = await client.post(f"{to.url}/telegram/webhook", json=update, headers=HEADER)
            except httpx.TransportError:
                retried = True
                await asyncio.sleep(0.2)  # the killed process is being reaped: the next pick excludes it
                continue
            assert answer.status_code == 200, answer.text
            repeat = answer.json()["duplicate"]
            assert repeat is duplicate or (retried and repeat), (update, answer.text)
            self.duplicates += duplicate
            self.accepted += 1
            return
        msg = f"no process took update {update['update_id']}"
        raise AssertionError(msg)

    async def answered(self, fans: Sequence[int], timeout: float = HANG_GUARD) -> None:  # noqa: ASYNC109
        """Wait until each fan got the answer to their last update; then each fan's answers are in order
        (an answer repeated right after itself is counted in :attr:`repeated`, not refused)."""
        last = SCRIPT[-1][1]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        waiting = set(fans)
        while waiting:
            sent = self._texts()
            waiting = {fan for fan in waiting if not any(last in text for text in sent.get(fan, ()))}
            if waiting and loop.time() > deadline:
                sample = {fan: sent.get(fan) for fan in list(waiting)[:3]}
                raise AssertionError(
                    f"{len(waiting)} fans never got their balance within {timeout:g} s: {sample}"
                )
            await asyncio.sleep(0.2)
        sent = self._texts()
        for fan in fans:
            marks = [words for text in sent[fan] for _, words in SCRIPT if words in text]
            once = [mark for n, mark in enumerate(marks) if n == 0 or mark != marks[n - 1]]
            assert once == [words for _, words in SCRIPT], (fan, sent[fan])
            self.repeated += len(marks) - len(once)

    def _texts(self) -> dict[int, list[str]]:
        """Every fan's received texts, in order, from one pass over the fake server's record."""
        texts: dict[int, list[str]] = {}
        for call in self.telegram.calls("sendMessage"):
            if call.ok:
                texts.setdefault(int(call.params["chat_id"]), []).append(str(call.params.get("text", "")))
        return texts


async def ledger_report(mongo_url: str, database: str, fans: Sequence[int]) -> dict[str, Any]:
    """What the storage holds for ``fans``: wallets that differ from their ledgers, and repeated effects.

    Read in one transaction, so the wallets and the ledger are one snapshot: the bus may still be paying
    (mission rewards follow the gifts), and two separate reads could straddle a payment.
    """
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        db = client[database]
        wallets: dict[int, int] = {}
        sums: dict[int, int] = {}
        reasons: dict[tuple[int, str], int] = {}

        async def read(session: AsyncClientSession) -> None:
            wallets.clear()
            sums.clear()
            reasons.clear()
            query = {"$in": list(fans)}
            async for doc in db.wallets.find({"_id": query}, session=session):
                wallets[doc["_id"]] = doc["balance"]
            async for entry in db.ledger.find({"user_id": query}, session=session):
                sums[entry["user_id"]] = sums.get(entry["user_id"], 0) + entry["amount"]
                key = (entry["user_id"], str(entry["reason"]))
                reasons[key] = reasons.get(key, 0) + 1

        async with client.start_session() as session:
            await session.with_transaction(read)
        return {
            "unequal": {
                fan: (wallets.get(fan), sums.get(fan)) for fan in fans if wallets.get(fan) != sums.get(fan)
            },
            "twice": {key: n for key, n in reasons.items() if n > 1},
            "welcomed": sum(1 for fan in fans if reasons.get((fan, "welcome_gift"))),
            "gifted": sum(1 for fan in fans if reasons.get((fan, "daily_gift"))),
        }
    finally:
        await client.close()


async def settled(
    mongo_url: str,
    database: str,
    fans: Sequence[int],
    *,
    gifted: int | None = None,
    timeout: float = HANG_GUARD,  # noqa: ASYNC109  (a helper's own deadline)
) -> dict[str, Any]:
    """Wait until every fan has the welcome gift (paid through the Redis bus) and ``gifted`` of them (all, by
    default) the daily gift; return the report then, or at the deadline."""
    expected = len(fans) if gifted is None else gifted
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        report = await ledger_report(mongo_url, database, fans)
        if (report["welcomed"], report["gifted"]) == (len(fans), expected) or loop.time() > deadline:
            return report
        await asyncio.sleep(0.3)


def chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    """``items`` in slices of ``size``."""
    iterator = iter(items)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk
