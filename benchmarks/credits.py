"""Credits per second counted until delivered: committed, and their ``BesitosAwarded`` handled.

The wallet service credits; a started LocalEventBus relays each ``BesitosAwarded`` to one subscribed
handler that only notes its arrival. A credit counts once both happened, so the figure includes the
outbox's own writes (the record at commit, the acknowledgement after handling).
"""

import asyncio
import time
import uuid

from benchmarks.backends import OpenBackend
from benchmarks.bus import Arrivals, ensure_delivered
from benchmarks.stats import OpsRun
from benchmarks.wallet import verify
from yabot_adapters.bus import LocalEventBus
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_core.kernel import UserId
from yabot_core.wallet import ADMIN_GRANT, BesitosAwarded, WalletService

AMOUNT = 5


async def delivered(open_backend: OpenBackend, *, users: int, credits_per_user: int) -> OpsRun:
    """On a fresh backend, ``users`` users at once each receive ``credits_per_user`` credits in turn.

    Timed from the first credit until every credit's event was handled. Every balance and ledger is
    checked afterwards, and the outbox must owe nothing.
    """
    clock = SystemClock()
    ids = UuidGenerator()
    run = uuid.uuid4().hex[:8]
    arrivals = Arrivals()

    async def noted(event: BesitosAwarded) -> None:
        arrivals.arrived(event.entry_id)

    async with open_backend(clock) as storage:
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
        bus = LocalEventBus(storage, clock=clock, ids=ids)
        bus.subscribe(BesitosAwarded, noted, name="bench.credit_noted")
        await bus.start()
        everyone = [UserId(n) for n in range(1, users + 1)]
        total = users * credits_per_user
        try:

            async def one_user(user: UserId) -> None:
                for step in range(credits_per_user):
                    key = f"{run}:{user}:{step}"
                    await wallet.credit(user, AMOUNT, ADMIN_GRANT, idempotency_key=key)

            started = time.perf_counter()
            await asyncio.gather(*(one_user(user) for user in everyone))
            await arrivals.wait_for(total)
            seconds = time.perf_counter() - started
        finally:
            await bus.stop()
        await ensure_delivered(storage)
        await verify(wallet, everyone, balance=AMOUNT * credits_per_user, entries=credits_per_user)
    return OpsRun(operations=total, seconds=seconds)
